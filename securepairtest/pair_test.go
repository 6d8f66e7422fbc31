package securepairtest

import (
	"bytes"
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// transcriptEnv names the file a child process writes its transcript to.
const transcriptEnv = "SECUREPAIRTEST_TRANSCRIPT"

var determinismCases = []struct {
	name string
	opts []Option
}{
	{"ecdsa", []Option{WithKeyType(certgen.ECDSAP256)}},
	{"rsa", []Option{WithKeyType(certgen.RSA2048)}},
	{"ed25519", []Option{WithKeyType(certgen.Ed25519)}},
	{"x25519mlkem768", []Option{WithGroup(tls.X25519MLKEM768)}},
	{"tls12 with client certificate", []Option{WithVersion(tls.VersionTLS12), WithClientCertificate()}},
}

// transcript runs a seeded pair through a handshake and a little data both
// ways and returns every byte that went over the wire.
func transcript(t *testing.T, seed uint64, opts []Option) []byte {
	p := NewPair(t, seed, opts...)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(p.Client, []byte("ping")); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(p.Server, []byte("pong")); err != nil {
		t.Fatal(err)
	}
	return p.Wire()
}

// The same seed gives the same bytes, in this process and in another one
// (this test binary run again, writing its transcript to a file), for each
// certificate type and for X25519MLKEM768; another seed gives other bytes.
func TestSameSeedSameBytes(t *testing.T) {
	for _, tc := range determinismCases {
		t.Run(tc.name, func(t *testing.T) {
			if out := os.Getenv(transcriptEnv); out != "" {
				if err := os.WriteFile(out, transcript(t, 42, tc.opts), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			here := transcript(t, 42, tc.opts)
			if again := transcript(t, 42, tc.opts); !bytes.Equal(here, again) {
				t.Fatal("the same seed gave different bytes in one process")
			}
			file := filepath.Join(t.TempDir(), "transcript")
			child := exec.Command(os.Args[0], "-test.run=^TestSameSeedSameBytes$/^"+tc.name+"$", "-test.count=1")
			child.Env = append(os.Environ(), transcriptEnv+"="+file)
			if out, err := child.CombinedOutput(); err != nil {
				t.Fatalf("child process: %v\n%s", err, out)
			}
			there, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(here, there) || len(here) < 1000 {
				t.Fatalf("another process gave other bytes (%d and %d)", len(here), len(there))
			}
			if other := transcript(t, 43, tc.opts); bytes.Equal(here, other) {
				t.Fatal("another seed gave the same bytes")
			}
		})
	}
}

// The generated certificates do what their names say against a client
// trusting the CA: the server's and the client's verify, the variants are
// refused.
func TestCertsVariants(t *testing.T) {
	p := NewPair(t, 1)
	c := p.Certs
	tests := []struct {
		name string
		cert tls.Certificate
		ok   bool
	}{
		{"server", c.Server, true},
		{"expired", c.Expired, false},
		{"wrong name", c.WrongName, false},
		{"self-signed", c.SelfSigned, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPair(t, 1, WithConfig(func(_, s *engine.Config) { s.Certificates = []tls.Certificate{tt.cert} }))
			if err := p.Handshake(); (err == nil) != tt.ok {
				t.Fatalf("handshake: %v, want success %v", err, tt.ok)
			}
		})
	}
}
