package engine_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"slices"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// The AES-CBC suites crypto/tls implements, with the certificate that
// authenticates each.
var cbcSuitesGo = map[uint16]certgen.KeyType{
	handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:    certgen.ECDSAP256,
	handshake.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:    certgen.ECDSAP256,
	handshake.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:      certgen.RSA2048,
	handshake.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:      certgen.RSA2048,
	handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: certgen.ECDSAP256,
	handshake.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:   certgen.RSA2048,
}

// A client whose hello shape offers AES-CBC completes with crypto/tls on
// each such suite and carries 1 MiB both ways (many full records, so
// padding, MAC and sequence numbers are all exercised).
func TestCBCClientAgainstGo(t *testing.T) {
	_, l := fixtures(t)
	for suite, kt := range cbcSuitesGo {
		t.Run(handshake.SuiteName(suite), func(t *testing.T) {
			nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[kt]}, MaxVersion: tls.VersionTLS12,
				CipherSuites: []uint16{suite}})
			cfg := clientConfig(t)
			cfg.ClientHelloSpec = enginetest.LegacyHello12(suite, false)
			e, c := dialOurs(t, cfg, nc)
			mustEcho(t, c, bytes.Repeat([]byte("cbc!"), 1<<18))
			c.Close()
			if res := <-done; res.err != nil {
				t.Fatalf("crypto/tls server: %v", res.err)
			}
			if st := e.ConnectionState(); st.Version != tls.VersionTLS12 || st.CipherSuite != suite || !st.Authorized {
				t.Fatalf("state %+v", st)
			}
		})
	}
}

// Our server never negotiates AES-CBC, even listed in CipherSuites: a
// client offering only CBC gets handshake_failure (RFC 5246 section
// 7.4.1.3, no acceptable suite), and a default client never offers it.
func TestServerRefusesCBC(t *testing.T) {
	s := serverConfig(t, certgen.ECDSAP256)
	s.CipherSuites = []uint16{handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	c := clientConfig(t)
	c.ClientHelloSpec = enginetest.LegacyHello12(handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, false)
	p, err := enginetest.NewPair(c, s)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Handshake()
	var ae *engine.AlertError
	if !errors.As(err, &ae) || ae.Alert != engine.AlertHandshakeFailure {
		t.Fatalf("%v, want handshake_failure", err)
	}
	c = clientConfig(t)
	c.CipherSuites = s.CipherSuites
	e, err := engine.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	nc, _ := goServer(t, &tls.Config{})
	defer nc.Close()
	if hello := firstHello(t, e, nc); slices.Contains(hello.CipherSuites, handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA) {
		t.Fatalf("a default client offered CBC: %x", hello.CipherSuites)
	}
}
