package machine

import (
	"bytes"
	"crypto/tls"
	mrand "math/rand/v2"
	"reflect"
	"testing"

	utls "github.com/refraction-networking/utls"
	"github.com/securepair/securepair/handshake"
)

// seeded is a deterministic randomness source for Config.Rand.
type seeded struct{ r *mrand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func newSeeded() seeded { return seeded{mrand.NewChaCha8([32]byte{7})} }

// The default hello we build ourselves is byte for byte the one uTLS makes
// of defaultSpec from the same randomness, and its decoded view is what
// parsing those bytes gives, for every combination of options that changes
// the default hello.
func TestDefaultHelloMatchesUTLS(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
	}{
		{"defaults", func(*Config) {}},
		{"TLS 1.3 only", func(c *Config) { c.MinVersion = handshake.VersionTLS13 }},
		{"TLS 1.2 only", func(c *Config) { c.MaxVersion = handshake.VersionTLS12 }},
		{"hybrid first", func(c *Config) { c.CurvePreferences = []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256} }},
		{"P-256 only", func(c *Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} }},
		{"IP address, no SNI", func(c *Config) { c.ServerName = "192.0.2.1" }},
		{"ALPN, ALPS, NPN", func(c *Config) {
			c.NextProtos = []string{"h2", "http/1.1"}
			c.ApplicationSettings = map[string][]byte{"h2": {1}}
			c.NPNProtocols = []string{"spdy/3"}
		}},
		{"session cache", func(c *Config) { c.ClientSessionCache = NewSessionCache(4) }},
		{"certificate compression", func(c *Config) { c.CertCompression = []uint16{2, 1} }},
		{"suites", func(c *Config) {
			c.CipherSuites = []uint16{tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clientCfg(t)
			tc.edit(c)
			c.Rand = newSeeded()
			ours, _, err := defaultHello(c)
			if err != nil {
				t.Fatal(err)
			}
			c.Rand = newSeeded()
			spec, keys, err := defaultSpec(c)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := buildWithUTLS(c, utls.HelloCustom, spec, keys)
			if err != nil {
				t.Fatal(err)
			}
			raw := handshake.Marshal(ours)
			if !bytes.Equal(raw, theirs.Raw) {
				t.Fatalf("our default hello differs from uTLS's:\nours   %x\ntheirs %x", raw, theirs.Raw)
			}
			parsed := new(handshake.ClientHello)
			if err := handshake.Unmarshal(raw, parsed); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(parsed, ours) {
				t.Fatalf("decoded view differs from the parse:\nbuilt  %+v\nparsed %+v", ours, parsed)
			}
		})
	}
}
