package engine_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// With both sides restricted to one scheme, the handshake uses it, for
// each scheme and version it exists in, and both sides report it: the
// server's LocalSignatureScheme is the client's PeerSignatureScheme.
func TestSignatureSchemeRestriction(t *testing.T) {
	tests := []struct {
		scheme   tls.SignatureScheme
		kt       certgen.KeyType
		versions []uint16
	}{
		{tls.ECDSAWithP256AndSHA256, certgen.ECDSAP256, []uint16{tls.VersionTLS13, tls.VersionTLS12}},
		{tls.ECDSAWithP384AndSHA384, certgen.ECDSAP384, []uint16{tls.VersionTLS13, tls.VersionTLS12}},
		{tls.Ed25519, certgen.Ed25519, []uint16{tls.VersionTLS13, tls.VersionTLS12}},
		{tls.PSSWithSHA256, certgen.RSA2048, []uint16{tls.VersionTLS13, tls.VersionTLS12}},
		{tls.PSSWithSHA512, certgen.RSA2048, []uint16{tls.VersionTLS13, tls.VersionTLS12}},
		{tls.PKCS1WithSHA256, certgen.RSA2048, []uint16{tls.VersionTLS12}},
	}
	for _, tt := range tests {
		for _, v := range tt.versions {
			t.Run(fmt.Sprintf("%v/%#04x", tt.scheme, v), func(t *testing.T) {
				c, s := clientConfig(t), serverConfig(t, tt.kt)
				c.MaxVersion = v
				c.SignatureSchemes, s.SignatureSchemes = []uint16{uint16(tt.scheme)}, []uint16{uint16(tt.scheme)}
				p := handshakePair(t, c, s)
				cs, ss := p.Client.ConnectionState(), p.Server.ConnectionState()
				if cs.Version != v || cs.PeerSignatureScheme != uint16(tt.scheme) || ss.LocalSignatureScheme != uint16(tt.scheme) {
					t.Fatalf("version %#04x, client saw %#04x, server signed %#04x", cs.Version, cs.PeerSignatureScheme, ss.LocalSignatureScheme)
				}
			})
		}
	}
}

// SignatureSchemes orders what a side signs with: an RSA server preferring
// PSS-SHA384 over PSS-SHA256 signs with it when the client accepts both;
// a client accepting only PSS-SHA512 gets that.
func TestSignatureSchemeOrder(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		c, s := clientConfig(t), serverConfig(t, certgen.RSA2048)
		c.MaxVersion = v
		s.SignatureSchemes = []uint16{uint16(tls.PSSWithSHA384), uint16(tls.PSSWithSHA256), uint16(tls.PSSWithSHA512)}
		if got := handshakePair(t, c, s).Server.ConnectionState().LocalSignatureScheme; got != uint16(tls.PSSWithSHA384) {
			t.Fatalf("%#04x: the server signed with %#04x, want its first choice PSS-SHA384", v, got)
		}
		c.SignatureSchemes = []uint16{uint16(tls.PSSWithSHA512)}
		if got := handshakePair(t, c, s).Server.ConnectionState().LocalSignatureScheme; got != uint16(tls.PSSWithSHA512) {
			t.Fatalf("%#04x: the server signed with %#04x, want the only one the client takes", v, got)
		}
	}
}

// No scheme in common: the server has no certificate it may sign with for
// this client and refuses with handshake_failure (RFC 8446 section
// 4.4.2.2 lets it; RFC 5246 section 7.4.1.4.1); PKCS#1 v1.5 alone is not
// TLS 1.3 (RFC 8446 section 4.2.3); a Config listing no scheme we know is
// refused.
func TestSignatureSchemeRefusals(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
		c.MaxVersion, c.SignatureSchemes = v, []uint16{uint16(tls.Ed25519)}
		p, err := enginetest.NewPair(c, s)
		if err != nil {
			t.Fatal(err)
		}
		p.Handshake()
		var ae *engine.AlertError
		if !errors.As(p.Server.Err(), &ae) || ae.Alert != engine.AlertHandshakeFailure {
			t.Fatalf("%#04x: %v", v, p.Server.Err())
		}
	}
	c, s := clientConfig(t), serverConfig(t, certgen.RSA2048)
	c.SignatureSchemes = []uint16{uint16(tls.PKCS1WithSHA256)}
	if st := handshakePair(t, c, s).Client.ConnectionState(); st.Version != tls.VersionTLS12 || st.PeerSignatureScheme != uint16(tls.PKCS1WithSHA256) {
		t.Fatalf("with PKCS#1 only: version %#04x, scheme %#04x (TLS 1.3 may not use it)", st.Version, st.PeerSignatureScheme)
	}
	c.SignatureSchemes = []uint16{0x0201} // RSA PKCS#1 SHA-1: never
	if _, err := engine.NewClient(c); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Fatalf("a Config with only SHA-1: %v", err)
	}
}

// Client certificates follow the server's SignatureSchemes through its
// CertificateRequest: a client whose key fits signs with the one scheme
// listed and both sides report it; one whose key does not fit sends no
// certificate, which a server requiring one refuses (certificate_required
// in TLS 1.3, RFC 8446 section 4.4.2.4; handshake_failure in TLS 1.2).
func TestClientCertificateSignatureSchemes(t *testing.T) {
	ca, _ := fixtures(t)
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, tc := range []struct {
			kt    certgen.KeyType
			alert engine.Alert
		}{{certgen.ECDSAP256, 0}, {certgen.Ed25519, map[uint16]engine.Alert{tls.VersionTLS13: engine.AlertCertificateRequired, tls.VersionTLS12: engine.AlertHandshakeFailure}[v]}} {
			t.Run(fmt.Sprintf("%#04x/%s", v, tc.kt), func(t *testing.T) {
				c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
				c.MaxVersion, c.Certificates = v, []tls.Certificate{clientLeaf(t, ca, tc.kt)}
				s.ClientAuth, s.ClientCAs, s.SignatureSchemes = tls.RequireAndVerifyClientCert, ca.Pool, []uint16{uint16(tls.ECDSAWithP256AndSHA256)}
				p, err := enginetest.NewPair(c, s)
				if err != nil {
					t.Fatal(err)
				}
				err = p.Handshake()
				if tc.alert == 0 {
					if err != nil {
						t.Fatal(err)
					}
					if got, seen := p.Client.ConnectionState().LocalSignatureScheme, p.Server.ConnectionState().PeerSignatureScheme; got != uint16(tls.ECDSAWithP256AndSHA256) || seen != got {
						t.Fatalf("the client signed with %#04x, the server saw %#04x", got, seen)
					}
					return
				}
				var ae *engine.AlertError
				if !errors.As(p.Server.Err(), &ae) || ae.Alert != tc.alert {
					t.Fatalf("server: %v, want %v", p.Server.Err(), tc.alert)
				}
			})
		}
	}
}
