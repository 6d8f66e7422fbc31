package engine_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"strings"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// Browser-shaped hellos from uTLS complete handshakes with crypto/tls, and
// the hybrid post-quantum group is used when the shape offers it.
func TestShapedHellosWithGoServer(t *testing.T) {
	_, l := fixtures(t)
	for _, tc := range []struct {
		name string
		id   utls.ClientHelloID
	}{
		{"chrome", utls.HelloChrome_Auto},
		{"firefox", utls.HelloFirefox_Auto},
		{"go", utls.HelloGolang}, // uTLS encodes this one only when sending
	} {
		t.Run(tc.name, func(t *testing.T) {
			nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}, NextProtos: []string{"http/1.1"}})
			cfg := clientConfig(t)
			id := tc.id
			cfg.ClientHelloID = &id
			e, err := engine.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			hello := firstHello(t, e, nc)
			c := adapters.NewConn(nc, e)
			if err := c.Handshake(context.Background()); err != nil {
				t.Fatal(err)
			}
			mustEcho(t, c, []byte("shaped"))
			c.Close()
			if res := <-done; res.err != nil {
				t.Fatal(res.err)
			}
			st := e.ConnectionState()
			offersHybrid := false
			for _, ks := range hello.KeyShares {
				offersHybrid = offersHybrid || ks.Group == handshake.GroupX25519MLKEM768
			}
			if offersHybrid && st.Group != tls.X25519MLKEM768 {
				t.Fatalf("shape offers X25519MLKEM768 but %v was negotiated", st.Group)
			}
			if !offersHybrid {
				t.Logf("shape %s offers no X25519MLKEM768 share", tc.name)
			}
			if st.ServerName != testHost || !st.Authorized {
				t.Fatalf("state %+v", st)
			}
		})
	}
}

// A ClientHelloSpec given extension by extension shapes the hello; the
// handshake completes and the server sees the spec's ALPN list.
func TestClientHelloSpec(t *testing.T) {
	_, l := fixtures(t)
	nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}, NextProtos: []string{"spec/1"}})
	cfg := clientConfig(t)
	cfg.ClientHelloSpec = func() *utls.ClientHelloSpec {
		return &utls.ClientHelloSpec{
			CipherSuites:       []uint16{utls.GREASE_PLACEHOLDER, handshake.TLS_CHACHA20_POLY1305_SHA256},
			CompressionMethods: []uint8{0},
			Extensions: []utls.TLSExtension{
				&utls.UtlsGREASEExtension{},
				&utls.SNIExtension{},
				&utls.SupportedCurvesExtension{Curves: []utls.CurveID{utls.X25519}},
				&utls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: []utls.SignatureScheme{utls.ECDSAWithP256AndSHA256}},
				&utls.KeyShareExtension{KeyShares: []utls.KeyShare{{Group: utls.X25519}}},
				&utls.SupportedVersionsExtension{Versions: []uint16{utls.VersionTLS13}},
				&utls.ALPNExtension{AlpnProtocols: []string{"spec/1"}},
				&utls.UtlsPaddingExtension{GetPaddingLen: utls.BoringPaddingStyle},
			},
		}
	}
	e, err := engine.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hello := firstHello(t, e, nc)
	if len(hello.CipherSuites) != 2 || !handshake.IsGREASE(hello.CipherSuites[0]) || hello.ServerName != testHost {
		t.Fatalf("hello does not follow the spec: suites %x, name %q", hello.CipherSuites, hello.ServerName)
	}
	c := adapters.NewConn(nc, e)
	if err := c.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if res := <-done; res.err != nil {
		t.Fatal(res.err)
	}
	if st := e.ConnectionState(); st.CipherSuite != handshake.TLS_CHACHA20_POLY1305_SHA256 || st.NegotiatedProtocol != "spec/1" {
		t.Fatalf("state %+v", st)
	}
}

// firstHello takes the ClientHello record the engine wants sent, forwards it
// to nc and returns it decoded.
func firstHello(t *testing.T, e *engine.Engine, nc pipeConn) *handshake.ClientHello {
	t.Helper()
	buf := make([]byte, 64<<10)
	n, err := e.Encrypted().Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(buf[:n]); err != nil {
		t.Fatal(err)
	}
	var ch handshake.ClientHello
	if err := handshake.Unmarshal(buf[5:n], &ch); err != nil {
		t.Fatal(err)
	}
	return &ch
}

// The server sees the JA4 and JA3 of the hello the client sent, in
// GetCertificate's ClientHelloInfo and its ConnectionState, and the client
// reports the same fingerprint of its own hello; a Chrome shape and our
// default hello differ.
func TestFingerprintsOnBothSides(t *testing.T) {
	chrome := utls.HelloChrome_Auto
	seen := map[string]bool{}
	for _, id := range []*utls.ClientHelloID{nil, &chrome} {
		c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
		c.ClientHelloID = id
		var info engine.Fingerprint
		cert := s.Certificates[0]
		s.Certificates = nil
		s.GetCertificate = func(hi *engine.ClientHelloInfo) (*tls.Certificate, error) {
			info = hi.Fingerprint
			return &cert, nil
		}
		p := handshakePair(t, c, s)
		ours, theirs := p.Client.ConnectionState().Fingerprint, p.Server.ConnectionState().Fingerprint
		if ours != theirs || info != theirs || !strings.HasPrefix(ours.JA4, "t13d") || len(ours.JA3Hash) != 32 {
			t.Fatalf("client %+v, server %+v, GetCertificate %+v", ours, theirs, info)
		}
		seen[ours.JA4] = true
	}
	if len(seen) != 2 {
		t.Fatal("the Chrome shape and the default hello have the same JA4")
	}
}

// A Chrome shape sends GREASE ECH; a crypto/tls server with ECH keys
// answers with retry configs in EncryptedExtensions, which a GREASE client
// accepts and ignores (draft-ietf-tls-esni section 6.2): the handshake
// completes with the server's real certificate.
func TestGreaseECHAgainstECHServer(t *testing.T) {
	_, l := fixtures(t)
	key, err := engine.NewECHKey(rand.Reader, 1, "public.example")
	if err != nil {
		t.Fatal(err)
	}
	nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]},
		EncryptedClientHelloKeys: []tls.EncryptedClientHelloKey{{Config: key.Config, PrivateKey: key.PrivateKey, SendAsRetry: true}}})
	cfg := clientConfig(t)
	chrome := utls.HelloChrome_Auto
	cfg.ClientHelloID = &chrome
	e, err := engine.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hello := firstHello(t, e, nc)
	if !hello.HasExtension(0xfe0d) {
		t.Fatal("the Chrome shape sends no (GREASE) ECH extension")
	}
	c := adapters.NewConn(nc, e)
	if err := c.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustEcho(t, c, []byte("grease"))
	c.Close()
	if res := <-done; res.err != nil {
		t.Fatal(res.err)
	}
	if st := e.ConnectionState(); !st.Authorized || st.Version != engine.VersionTLS13 {
		t.Fatalf("state %+v", st)
	}
}
