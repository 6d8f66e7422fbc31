package engine_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// The legacy suites (AES-CBC, RSA key exchange) crypto/tls implements, with
// the certificate that authenticates each.
var legacySuitesGo = map[uint16]certgen.KeyType{
	engine.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:    certgen.ECDSAP256,
	engine.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:    certgen.ECDSAP256,
	engine.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:      certgen.RSA2048,
	engine.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:      certgen.RSA2048,
	engine.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: certgen.ECDSAP256,
	engine.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:   certgen.RSA2048,
	engine.TLS_RSA_WITH_AES_128_GCM_SHA256:         certgen.RSA2048,
	engine.TLS_RSA_WITH_AES_256_GCM_SHA384:         certgen.RSA2048,
	engine.TLS_RSA_WITH_AES_128_CBC_SHA:            certgen.RSA2048,
	engine.TLS_RSA_WITH_AES_256_CBC_SHA:            certgen.RSA2048,
	engine.TLS_RSA_WITH_AES_128_CBC_SHA256:         certgen.RSA2048,
	engine.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA:     certgen.RSA2048, // OpenSSL 3 as packaged has no 3DES
	engine.TLS_RSA_WITH_3DES_EDE_CBC_SHA:           certgen.RSA2048,
}

// A client whose hello shape (or, the other way to opt in, whose
// CipherSuites) offers a legacy suite completes with crypto/tls on each such
// suite and carries 1 MiB both ways (many full records, so CBC padding, MAC
// and sequence numbers are all exercised).
func TestLegacyClientAgainstGo(t *testing.T) {
	_, l := fixtures(t)
	for suite, kt := range legacySuitesGo {
		for _, how := range []string{"shape", "CipherSuites"} {
			t.Run(handshake.SuiteName(suite)+"/"+how, func(t *testing.T) {
				legacyAgainstGo(t, l[kt], suite, how == "shape")
			})
		}
	}
}

func legacyAgainstGo(t *testing.T, cert tls.Certificate, suite uint16, shape bool) {
	nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{suite}})
	cfg := clientConfig(t)
	if shape {
		cfg.ClientHelloSpec = enginetest.LegacyHello12(suite, false)
	} else {
		cfg.CipherSuites, cfg.MaxVersion = []uint16{suite}, engine.VersionTLS12
	}
	e, c := dialOurs(t, cfg, nc)
	mustEcho(t, c, bytes.Repeat([]byte("cbc!"), 1<<18))
	c.Close()
	if res := <-done; res.err != nil {
		t.Fatalf("crypto/tls server: %v", res.err)
	}
	if st := e.ConnectionState(); st.Version != tls.VersionTLS12 || st.CipherSuite != suite || !st.Authorized ||
		(st.Group == 0) != handshake.Suite12ByID(suite).RSAKeyExchange {
		t.Fatalf("state %+v", st)
	}
}

// Our server never negotiates a legacy suite, even listed in CipherSuites:
// a client offering only such suites gets handshake_failure (RFC 5246
// section 7.4.1.3, no acceptable suite), and a Config that lists nothing
// else is refused for a server. A default client never offers them.
func TestServerRefusesLegacySuites(t *testing.T) {
	for _, suite := range []uint16{engine.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, engine.TLS_RSA_WITH_AES_128_GCM_SHA256} {
		kt := certgen.ECDSAP256
		if suite == engine.TLS_RSA_WITH_AES_128_GCM_SHA256 {
			kt = certgen.RSA2048
		}
		s := serverConfig(t, kt)
		s.CipherSuites = []uint16{suite, engine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
		c := clientConfig(t)
		c.ClientHelloSpec = enginetest.LegacyHello12(suite, false)
		p, err := enginetest.NewPair(c, s)
		if err != nil {
			t.Fatal(err)
		}
		err = p.Handshake()
		var ae *engine.AlertError
		if !errors.As(err, &ae) || ae.Alert != engine.AlertHandshakeFailure {
			t.Fatalf("%s: %v, want handshake_failure", handshake.SuiteName(suite), err)
		}
		s.CipherSuites, s.MaxVersion = []uint16{suite}, engine.VersionTLS12
		if _, err := engine.NewServer(s); err == nil {
			t.Fatalf("a server Config listing only %s was taken", handshake.SuiteName(suite))
		}
	}
	e, err := engine.NewClient(clientConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	nc, _ := goServer(t, &tls.Config{})
	defer nc.Close()
	for _, id := range firstHello(t, e, nc).CipherSuites {
		if s := handshake.Suite12ByID(id); s != nil && (s.MAC != 0 || s.RSAKeyExchange) {
			t.Fatalf("a default client offered %s", s.Name)
		}
	}
}

// With RSA key exchange the server's certificate encrypts the premaster, so
// its keyUsage, when present, must allow keyEncipherment (RFC 5246 section
// 7.4.2); one that only signs is unsupported_certificate.
func TestRSAKeyExchangeNeedsKeyEncipherment(t *testing.T) {
	ca, _ := fixtures(t)
	signOnly, err := ca.Leaf(certgen.RSA2048, []string{testHost}, certgen.LeafOptions{KeyUsage: x509.KeyUsageDigitalSignature})
	if err != nil {
		t.Fatal(err)
	}
	suite := engine.TLS_RSA_WITH_AES_128_GCM_SHA256
	nc, _ := goServer(t, &tls.Config{Certificates: []tls.Certificate{signOnly}, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}})
	defer nc.Close()
	cfg := clientConfig(t)
	cfg.ClientHelloSpec = enginetest.LegacyHello12(suite, false)
	e, err := engine.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = adapters.NewConn(nc, e).Handshake(context.Background())
	var ae *engine.AlertError
	if !errors.As(err, &ae) || ae.Alert != engine.AlertUnsupportedCertificate {
		t.Fatalf("%v, want unsupported_certificate", err)
	}
}

// A client that offers only RC4 gets insufficient_security, not
// handshake_failure (RFC 7465 section 2); with another suite beside it the
// refusal stays handshake_failure.
func TestServerRefusesRC4Only(t *testing.T) {
	for _, c := range []struct {
		suites []uint16
		alert  engine.Alert
	}{
		{[]uint16{0xc011, 0x0005}, engine.AlertInsufficientSecurity}, // ECDHE_RSA and RSA with RC4_128_SHA
		{[]uint16{0xc011, engine.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA}, engine.AlertHandshakeFailure},
	} {
		cfg := clientConfig(t)
		spec := enginetest.LegacyHello12(c.suites[0], false)
		cfg.ClientHelloSpec = func() *utls.ClientHelloSpec {
			s := spec()
			s.CipherSuites = c.suites
			return s
		}
		p, err := enginetest.NewPair(cfg, serverConfig(t, certgen.RSA2048))
		if err != nil {
			t.Fatal(err)
		}
		err = p.Handshake()
		var ae *engine.AlertError
		if !errors.As(err, &ae) || ae.Alert != c.alert {
			t.Errorf("suites %x: %v, want %v", c.suites, err, c.alert)
		}
	}
}
