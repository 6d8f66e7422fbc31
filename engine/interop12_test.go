package engine_test

import (
	"crypto/tls"
	"fmt"
	"testing"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
)

var (
	suites12 = []uint16{
		handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, handshake.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		handshake.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, handshake.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		handshake.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, handshake.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
	groups12 = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}
	// certCurve is the curve of each ECDSA certificate type.
	certCurve = map[certgen.KeyType]tls.CurveID{certgen.ECDSAP256: tls.CurveP256, certgen.ECDSAP384: tls.CurveP384, certgen.ECDSAP521: tls.CurveP521}
)

// certFits reports whether a TLS 1.2 suite can be authenticated by a key type.
func certFits(suite uint16, kt certgen.KeyType) bool {
	rsaSuite := suite == handshake.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 || suite == handshake.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ||
		suite == handshake.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
	return rsaSuite == (kt == certgen.RSA2048)
}

// TLS 1.2 with crypto/tls, both directions: every suite x group x fitting
// certificate type, with a 1 MiB echo on one case per suite.
func TestInterop12(t *testing.T) {
	ca, l := fixtures(t)
	for _, suite := range suites12 {
		for _, group := range groups12 {
			for _, kt := range certgen.KeyTypes {
				if !certFits(suite, kt) {
					continue
				}
				name := fmt.Sprintf("%s/%s/%s", handshake.SuiteName(suite), handshake.GroupName(uint16(group)), kt)
				// An ECDSA certificate's curve must be one the client lists
				// (RFC 8422 section 5.1), as every real client does.
				clientCurves := []tls.CurveID{group}
				if c, ok := certCurve[kt]; ok && c != group {
					clientCurves = append(clientCurves, c)
				}
				payload := []byte("tls 1.2 over " + name)
				t.Run("our client/"+name, func(t *testing.T) {
					nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[kt]}, MaxVersion: tls.VersionTLS12,
						CipherSuites: []uint16{suite}, CurvePreferences: []tls.CurveID{group}})
					cfg := clientConfig(t)
					cfg.CurvePreferences = clientCurves
					e, c := dialOurs(t, cfg, nc)
					mustEcho(t, c, payload)
					c.Close()
					if res := <-done; res.err != nil {
						t.Fatalf("crypto/tls server: %v", res.err)
					}
					if st := e.ConnectionState(); st.Version != tls.VersionTLS12 || st.CipherSuite != suite || st.Group != group || !st.Authorized {
						t.Fatalf("state %+v", st)
					}
				})
				t.Run("our server/"+name, func(t *testing.T) {
					st, theirs := serveGoClient(t, &tls.Config{RootCAs: ca.Pool, ServerName: testHost, Time: fixedTime,
						MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite}, CurvePreferences: clientCurves},
						payload, serverConfig(t, kt))
					if st.Version != tls.VersionTLS12 || st.CipherSuite != suite || theirs.CipherSuite != suite {
						t.Fatalf("state %+v", st)
					}
				})
			}
		}
	}
}
