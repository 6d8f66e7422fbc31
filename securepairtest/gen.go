package securepairtest

import (
	"crypto/tls"
	"slices"

	utls "github.com/refraction-networking/utls"
	"pgregory.net/rapid"

	"github.com/securepair/securepair/engine"
)

// Choices are the parts of a client and server configuration that a
// property test varies; Option applies them to a NewPair.
type Choices struct {
	Version    uint16 // 0: both 1.2 and 1.3
	Suites     []uint16
	Group      tls.CurveID
	ALPN       []string // the client's; the server takes them all, and h2 and http/1.1
	NPN        []string // TLS 1.2 only
	ClientAuth tls.ClientAuthType
	ClientCert bool                // the client has a certificate to present
	Shape      *utls.ClientHelloID // nil: the hello derived from the Config
}

var (
	suites13 = []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256}
	suites12 = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
	groupChoices = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.X25519MLKEM768}
	shapes       = []*utls.ClientHelloID{nil, &utls.HelloChrome_Auto, &utls.HelloFirefox_Auto, &utls.HelloSafari_Auto}
	protocols    = []string{"h2", "http/1.1", "echo/1", "smtp"}
)

// ConfigChoices draws Choices that can make a handshake with the ECDSA
// P-256 certificates NewPair makes by default.
func ConfigChoices() *rapid.Generator[Choices] {
	return rapid.Custom(func(t *rapid.T) Choices {
		c := Choices{Version: rapid.SampledFrom([]uint16{0, tls.VersionTLS12, tls.VersionTLS13}).Draw(t, "version")}
		var pool []uint16
		if c.Version != tls.VersionTLS12 {
			pool = append(pool, suites13...)
		}
		if c.Version != tls.VersionTLS13 {
			pool = append(pool, suites12...)
		}
		c.Suites = rapid.SliceOfNDistinct(rapid.SampledFrom(pool), 1, len(pool), rapid.ID).Draw(t, "suites")
		c.Group = rapid.SampledFrom(groupChoices).Draw(t, "group")
		c.ALPN = rapid.SliceOfNDistinct(rapid.SampledFrom(protocols), 0, 3, rapid.ID).Draw(t, "alpn")
		if c.Version == tls.VersionTLS12 {
			c.NPN = rapid.SliceOfNDistinct(rapid.SampledFrom(protocols), 0, 2, rapid.ID).Draw(t, "npn")
		}
		c.ClientAuth = rapid.SampledFrom([]tls.ClientAuthType{tls.NoClientCert, tls.RequestClientCert,
			tls.VerifyClientCertIfGiven, tls.RequireAndVerifyClientCert}).Draw(t, "clientAuth")
		// A server that requires a certificate gets one; otherwise maybe.
		c.ClientCert = c.ClientAuth == tls.RequireAndVerifyClientCert || rapid.Bool().Draw(t, "clientCert")
		if c.Version == 0 {
			c.Shape = rapid.SampledFrom(shapes).Draw(t, "shape") // browser shapes offer both versions
		}
		return c
	})
}

// Options are the NewPair options for c.
func (c Choices) Options() []Option {
	opts := []Option{WithGroup(c.Group), WithConfig(func(client, server *engine.Config) {
		client.CipherSuites, server.CipherSuites = c.Suites, c.Suites
		client.NextProtos = c.ALPN
		server.NextProtos = slices.Clone(c.ALPN) // then what browser shapes offer
		for _, p := range []string{"h2", "http/1.1"} {
			if !slices.Contains(server.NextProtos, p) {
				server.NextProtos = append(server.NextProtos, p)
			}
		}
		client.NPNProtocols, server.NPNProtocols = c.NPN, c.NPN
		client.ClientHelloID = c.Shape
	})}
	if c.Version != 0 {
		opts = append(opts, WithVersion(c.Version))
	}
	opts = append(opts, WithClientAuth(c.ClientAuth, c.ClientCert))
	return opts
}

// Chunking draws how bytes in flight are cut (for enginetest.Pair.Split):
// whole, a byte at a time, or at drawn sizes.
func Chunking() *rapid.Generator[func(bool, []byte) [][]byte] {
	return rapid.Custom(func(t *rapid.T) func(bool, []byte) [][]byte {
		sizes := rapid.SliceOfN(rapid.IntRange(1, 700), 1, 8).Draw(t, "chunk sizes")
		return func(_ bool, data []byte) [][]byte {
			var out [][]byte
			for i := 0; len(data) > 0; i++ {
				n := min(sizes[i%len(sizes)], len(data))
				out, data = append(out, data[:n]), data[n:]
			}
			return out
		}
	})
}

// Traffic draws application messages: empty, small and over a record.
func Traffic() *rapid.Generator[[][]byte] {
	size := rapid.OneOf(rapid.IntRange(0, 64), rapid.IntRange(1, 4096), rapid.IntRange(16<<10, 40<<10))
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) []byte {
		n := size.Draw(t, "size")
		b := make([]byte, n)
		fill := rapid.Byte().Draw(t, "fill")
		for i := range b {
			b[i] = fill + byte(i)
		}
		return b
	}), 1, 6)
}

// ClientHello draws a valid ClientHello record (from our client, with
// drawn choices) or, when mutate is true, one with bytes flipped, cut or
// inserted.
func ClientHello(mutate bool) *rapid.Generator[[]byte] {
	return rapid.Custom(func(t *rapid.T) []byte {
		choices := ConfigChoices().Draw(t, "choices")
		o := options{group: choices.Group}
		for _, opt := range choices.Options() {
			opt(&o)
		}
		client := &engine.Config{ServerName: Host, InsecureAcceptUnauthorized: true, CurvePreferences: groups(o.group),
			MinVersion: o.version, MaxVersion: o.version}
		if o.configure != nil {
			o.configure(client, &engine.Config{})
		}
		e, err := engine.NewClient(client)
		if err != nil {
			t.Fatalf("client: %v", err)
		}
		hello := make([]byte, 16<<10)
		n, _ := e.Encrypted().Read(hello)
		hello = hello[:n]
		if mutate {
			hello = Mutate(hello).Draw(t, "mutation")
		}
		return hello
	})
}

// Mutate draws a copy of b with one change: a bit flipped, a cut, or bytes
// inserted.
func Mutate(b []byte) *rapid.Generator[[]byte] {
	return rapid.Custom(func(t *rapid.T) []byte {
		out := slices.Clone(b)
		if len(out) == 0 {
			return rapid.SliceOfN(rapid.Byte(), 1, 16).Draw(t, "bytes")
		}
		at := rapid.IntRange(0, len(out)-1).Draw(t, "at")
		switch rapid.IntRange(0, 2).Draw(t, "change") {
		case 0:
			out[at] ^= 1 << rapid.IntRange(0, 7).Draw(t, "bit")
		case 1:
			out = out[:at]
		default:
			out = slices.Insert(out, at, rapid.SliceOfN(rapid.Byte(), 1, 16).Draw(t, "inserted")...)
		}
		return out
	})
}
