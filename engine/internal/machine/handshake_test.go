package machine

import (
	"crypto/tls"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// Complete handshakes, every version, suite, key type and option the state
// machines have, checked on what both sides negotiated.
func TestHandshakes(t *testing.T) {
	_, _, clientCert := fixtures(t)
	chrome, firefox, golang := utls.HelloChrome_Auto, utls.HelloFirefox_Auto, utls.HelloGolang
	cases := []struct {
		name  string
		key   certgen.KeyType
		setup func(c, s *Config)
		check func(t *testing.T, cs, ss ConnectionState)
	}{
		{"TLS 1.3 default", certgen.ECDSAP256, nil, func(t *testing.T, cs, ss ConnectionState) {
			want(t, cs.Version == handshake.VersionTLS13 && cs.Group == tls.X25519MLKEM768 && cs.Authorized && ss.ServerName == serverName, cs)
		}},
		{"TLS 1.3 RSA-PSS", certgen.RSA2048, nil, nil},
		{"TLS 1.3 Ed25519", certgen.Ed25519, nil, nil},
		{"TLS 1.3 P-384 certificate", certgen.ECDSAP384, nil, nil},
		{"TLS 1.3 P-521 certificate and group", certgen.ECDSAP521, func(c, s *Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP521} },
			func(t *testing.T, cs, _ ConnectionState) { want(t, cs.Group == tls.CurveP521, cs) }},
		{"TLS 1.2 P-521 certificate and group", certgen.ECDSAP521, func(c, s *Config) {
			c.CurvePreferences, s.MaxVersion = []tls.CurveID{tls.CurveP521}, handshake.VersionTLS12
		}, func(t *testing.T, cs, _ ConnectionState) {
			want(t, cs.Group == tls.CurveP521 && cs.Version == handshake.VersionTLS12, cs)
		}},
		{"TLS 1.3 AES-256", certgen.ECDSAP256, func(c, s *Config) { s.CipherSuites = []uint16{handshake.TLS_AES_256_GCM_SHA384} }, func(t *testing.T, cs, _ ConnectionState) {
			want(t, cs.CipherSuite == handshake.TLS_AES_256_GCM_SHA384, cs)
		}},
		{"TLS 1.3 ChaCha20", certgen.ECDSAP256, func(c, s *Config) { c.CipherSuites = []uint16{handshake.TLS_CHACHA20_POLY1305_SHA256} }, nil},
		{"TLS 1.3 P-256 share", certgen.ECDSAP256, func(c, s *Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} }, func(t *testing.T, cs, _ ConnectionState) {
			want(t, cs.Group == tls.CurveP256 && !cs.DidHelloRetry, cs)
		}},
		{"TLS 1.3 HelloRetryRequest", certgen.ECDSAP256, func(c, s *Config) {
			c.CurvePreferences = []tls.CurveID{tls.CurveP256, tls.CurveP384}
			s.CurvePreferences = []tls.CurveID{tls.CurveP384}
		}, func(t *testing.T, cs, ss ConnectionState) {
			want(t, cs.Group == tls.CurveP384 && cs.DidHelloRetry && ss.DidHelloRetry, cs)
		}},
		{"TLS 1.3 ALPN", certgen.ECDSAP256, func(c, s *Config) { c.NextProtos, s.NextProtos = []string{"h2", "http/1.1"}, []string{"http/1.1"} }, func(t *testing.T, cs, _ ConnectionState) {
			want(t, cs.NegotiatedProtocol == "http/1.1", cs)
		}},
		{"TLS 1.3 client certificate", certgen.ECDSAP256, func(c, s *Config) {
			c.Certificates = []tls.Certificate{clientCert}
			s.ClientAuth, s.ClientCAs = tls.RequireAndVerifyClientCert, c.RootCAs
		}, func(t *testing.T, _, ss ConnectionState) {
			want(t, ss.Authorized && len(ss.PeerCertificates) > 0, ss)
		}},
		{"TLS 1.3 client certificate requested, none sent", certgen.ECDSAP256, func(c, s *Config) { s.ClientAuth = tls.RequestClientCert }, func(t *testing.T, _, ss ConnectionState) {
			want(t, !ss.Authorized && ss.AuthorizationError != nil, ss)
		}},
		{"TLS 1.3 unauthorized server accepted", certgen.ECDSAP256, func(c, s *Config) { c.RootCAs, c.InsecureAcceptUnauthorized = nil, true }, func(t *testing.T, cs, _ ConnectionState) {
			want(t, !cs.Authorized && cs.AuthorizationError != nil, cs)
		}},
		{"Chrome shape", certgen.ECDSAP256, func(c, s *Config) { c.ClientHelloID = &chrome }, nil},
		{"Firefox shape", certgen.ECDSAP256, func(c, s *Config) { c.ClientHelloID = &firefox }, nil},
		// uTLS leaves HelloGolang's Raw empty and encodes it when sending.
		{"Go shape", certgen.ECDSAP256, func(c, s *Config) { c.ClientHelloID = &golang }, nil},
		{"TLS 1.2 ECDSA", certgen.ECDSAP256, func(c, s *Config) { s.MaxVersion = handshake.VersionTLS12 }, func(t *testing.T, cs, _ ConnectionState) {
			want(t, cs.Version == handshake.VersionTLS12 && cs.CipherSuite == handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, cs)
		}},
		{"TLS 1.2 RSA", certgen.RSA2048, func(c, s *Config) { c.MaxVersion = handshake.VersionTLS12 }, func(t *testing.T, cs, _ ConnectionState) {
			want(t, cs.CipherSuite == handshake.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, cs)
		}},
		{"TLS 1.2 Ed25519", certgen.Ed25519, func(c, s *Config) { c.MaxVersion = handshake.VersionTLS12 }, nil},
		{"TLS 1.2 ChaCha20 P-384", certgen.ECDSAP384, func(c, s *Config) {
			c.MaxVersion = handshake.VersionTLS12
			c.CipherSuites = []uint16{handshake.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
			s.CurvePreferences = []tls.CurveID{tls.CurveP384}
		}, func(t *testing.T, cs, _ ConnectionState) {
			want(t, cs.Group == tls.CurveP384, cs)
		}},
		{"TLS 1.2 AES-256 RSA", certgen.RSA2048, func(c, s *Config) {
			s.MaxVersion = handshake.VersionTLS12
			s.CipherSuites = []uint16{handshake.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384}
		}, nil},
		{"TLS 1.2 ALPN", certgen.ECDSAP256, func(c, s *Config) {
			s.MaxVersion = handshake.VersionTLS12
			c.NextProtos, s.NextProtos = []string{"h2"}, []string{"h2"}
		}, func(t *testing.T, cs, _ ConnectionState) {
			want(t, cs.NegotiatedProtocol == "h2", cs)
		}},
		{"TLS 1.2 NPN", certgen.ECDSAP256, func(c, s *Config) {
			s.MaxVersion = handshake.VersionTLS12
			c.NPNProtocols, s.NPNProtocols = []string{"spdy/2", "http/1.1"}, []string{"http/1.1"}
		}, func(t *testing.T, cs, ss ConnectionState) {
			want(t, cs.NPNProtocol == "http/1.1" && ss.NPNProtocol == "http/1.1", cs)
		}},
		{"TLS 1.2 client certificate", certgen.ECDSAP256, func(c, s *Config) {
			s.MaxVersion = handshake.VersionTLS12
			c.Certificates = []tls.Certificate{clientCert}
			s.ClientAuth, s.ClientCAs = tls.RequireAndVerifyClientCert, c.RootCAs
		}, func(t *testing.T, _, ss ConnectionState) {
			want(t, ss.Authorized && len(ss.PeerCertificates) > 0, ss)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, tc.key)
			if tc.setup != nil {
				tc.setup(c, s)
			}
			p, err := newMachinePair(t, c, s)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.run(); err != nil {
				t.Fatal(err)
			}
			cs, ss := checkAgree(t, p)
			if tc.check != nil {
				tc.check(t, cs, ss)
			}
		})
	}
}

func want(t *testing.T, ok bool, st ConnectionState) {
	t.Helper()
	if !ok {
		t.Fatalf("unexpected state %+v", st)
	}
}

// Handshakes that must fail, with the alert RFC 8446 (and RFC 5246, RFC 7301)
// names for each.
func TestHandshakeFailures(t *testing.T) {
	other, err := certgen.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		setup func(c, s *Config)
		alert record.Alert
	}{
		// Section 6.2: a chain that does not lead to a trusted root.
		{"unknown CA", func(c, s *Config) { c.RootCAs = other.Pool }, record.AlertUnknownCA},
		// Section 4.4.2.4: the name does not match.
		{"wrong server name", func(c, s *Config) { c.ServerName = "other.test" }, record.AlertBadCertificate},
		// Section 4.1.1: no version in common.
		{"no common version", func(c, s *Config) {
			c.MinVersion = handshake.VersionTLS13
			s.MaxVersion = handshake.VersionTLS12
		}, record.AlertProtocolVersion},
		// Section 4.1.1: no suite in common.
		{"no common TLS 1.3 suite", func(c, s *Config) {
			c.CipherSuites = []uint16{handshake.TLS_AES_128_GCM_SHA256}
			s.CipherSuites = []uint16{handshake.TLS_AES_256_GCM_SHA384}
		}, record.AlertHandshakeFailure},
		{"no common TLS 1.2 suite", func(c, s *Config) {
			c.MaxVersion, c.CipherSuites = handshake.VersionTLS12, []uint16{handshake.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
		}, record.AlertHandshakeFailure},
		// RFC 7301 section 3.2.
		{"no common ALPN protocol", func(c, s *Config) { c.NextProtos, s.NextProtos = []string{"h2"}, []string{"imap"} }, record.AlertNoApplicationProtocol},
		// Section 4.4.2.4: a required client certificate is missing.
		{"client certificate required", func(c, s *Config) { s.ClientAuth = tls.RequireAnyClientCert }, record.AlertCertificateRequired},
		// RFC 5246 section 7.4.6: certificate_required is TLS 1.3's.
		{"TLS 1.2 client certificate required", func(c, s *Config) {
			s.ClientAuth, s.MaxVersion = tls.RequireAndVerifyClientCert, handshake.VersionTLS12
		}, record.AlertHandshakeFailure},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
			tc.setup(c, s)
			p, err := newMachinePair(t, c, s)
			if err != nil {
				t.Fatal(err)
			}
			wantAlert(t, p.run(), tc.alert)
		})
	}
}

// A Finished, a CertificateVerify or a ServerKeyExchange altered in flight
// is decrypt_error (RFC 8446 section 6.2, RFC 5246 section 7.4.9).
func TestTamperedHandshake(t *testing.T) {
	cases := []struct {
		name    string
		version uint16
		target  handshake.MessageType
		alert   record.Alert
	}{
		{"TLS 1.3 server Finished", handshake.VersionTLS13, handshake.TypeFinished, record.AlertDecryptError},
		{"TLS 1.3 CertificateVerify", handshake.VersionTLS13, handshake.TypeCertificateVerify, record.AlertDecryptError},
		{"TLS 1.2 ServerKeyExchange", handshake.VersionTLS12, handshake.TypeServerKeyExchange, record.AlertDecryptError},
		{"TLS 1.2 client Finished", handshake.VersionTLS12, handshake.TypeFinished, record.AlertDecryptError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
			s.MaxVersion = tc.version
			p, err := newMachinePair(t, c, s)
			if err != nil {
				t.Fatal(err)
			}
			p.tamper = func(fromClient bool, msg []byte) []byte {
				if handshake.MessageType(msg[0]) == tc.target {
					msg = append([]byte{}, msg...)
					msg[len(msg)-1] ^= 1
				}
				return msg
			}
			wantAlert(t, p.run(), tc.alert)
		})
	}
}
