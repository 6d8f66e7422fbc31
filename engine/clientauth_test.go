package engine_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// clientLeaf issues a client certificate from ca.
func clientLeaf(t *testing.T, ca *certgen.CA, kt certgen.KeyType) tls.Certificate {
	t.Helper()
	c, err := ca.Leaf(kt, []string{"client.test"}, certgen.LeafOptions{Client: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Node's requestCert / rejectUnauthorized, on our server, with our client.
func TestClientAuthentication(t *testing.T) {
	ca, _ := fixtures(t)
	other, _ := certgen.NewCA("untrusted client CA")
	good, foreign := clientLeaf(t, ca, certgen.Ed25519), clientLeaf(t, other, certgen.ECDSAP256)
	bad, err := ca.Leaf(certgen.ECDSAP256, []string{"expired client"}, certgen.LeafOptions{Client: true,
		NotBefore: certgen.Epoch.AddDate(-2, 0, 0), NotAfter: certgen.Epoch.AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		auth       tls.ClientAuthType
		clientCert *tls.Certificate
		authorized bool
		alert      record.Alert // 0: the handshake completes
	}{
		{"requestCert, valid certificate", tls.RequestClientCert, &good, true, 0},
		{"requestCert, no certificate", tls.RequestClientCert, nil, false, 0},
		{"requestCert, expired certificate", tls.RequestClientCert, &bad, false, 0},
		{"requestCert, certificate of a CA the server does not name", tls.RequestClientCert, &foreign, false, 0},
		{"rejectUnauthorized, valid certificate", tls.RequireAndVerifyClientCert, &good, true, 0},
		{"rejectUnauthorized, no certificate", tls.RequireAndVerifyClientCert, nil, false, record.AlertCertificateRequired},
		{"rejectUnauthorized, expired certificate", tls.RequireAndVerifyClientCert, &bad, false, record.AlertCertificateExpired},
		{"rejectUnauthorized, certificate of a CA the server does not name", tls.RequireAndVerifyClientCert, &foreign, false, record.AlertCertificateRequired},
	}
	for _, tc := range []struct {
		version uint16
		label   string
	}{{tls.VersionTLS13, "TLS 1.3"}, {tls.VersionTLS12, "TLS 1.2"}} {
		for _, tt := range tests {
			t.Run(tc.label+"/"+tt.name, func(t *testing.T) {
				alert := tt.alert
				if alert == record.AlertCertificateRequired && tc.version == tls.VersionTLS12 {
					// certificate_required is TLS 1.3's (RFC 8446 section 4.4.2.4);
					// TLS 1.2 answers handshake_failure (RFC 5246 section 7.4.6).
					alert = record.AlertHandshakeFailure
				}
				runClientAuthCase(t, ca, tc.version, tt.auth, tt.clientCert, tt.authorized, alert)
			})
		}
	}
}

// runClientAuthCase runs one client authentication case at one version.
func runClientAuthCase(t *testing.T, ca *certgen.CA, version uint16, auth tls.ClientAuthType, clientCert *tls.Certificate, authorized bool, alert record.Alert) {
	c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	c.MaxVersion = version
	s.ClientAuth, s.ClientCAs = auth, ca.Pool
	if clientCert != nil {
		c.Certificates = []tls.Certificate{*clientCert}
	}
	p, err := enginetest.NewPair(c, s)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Handshake()
	if alert != 0 {
		var ae *engine.AlertError
		if !errors.As(p.Server.Err(), &ae) || ae.Alert != alert || ae.Remote {
			t.Fatalf("server error %v, want %v (run: %v)", p.Server.Err(), alert, err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	st := p.Server.ConnectionState()
	if st.Version != version || st.Authorized != authorized || (st.AuthorizationError == nil) != authorized {
		t.Fatalf("version %#x Authorized=%v AuthorizationError=%v", st.Version, st.Authorized, st.AuthorizationError)
	}
	if sent := len(st.PeerCertificates) > 0; sent != (clientCert != nil && issuedByPool(clientCert, ca)) {
		t.Fatalf("client certificate sent: %v", sent)
	}
}

// Client certificates across our stack and crypto/tls, both directions.
func TestClientAuthenticationWithGo(t *testing.T) {
	ca, l := fixtures(t)
	cert := clientLeaf(t, ca, certgen.ECDSAP384)
	t.Run("our client, crypto/tls server", func(t *testing.T) {
		nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.RSA2048]},
			ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool, Time: fixedTime})
		cfg := clientConfig(t)
		cfg.Certificates = []tls.Certificate{cert}
		e, _ := engine.NewClient(cfg)
		c := adapters.NewConn(nc, e)
		if err := c.Handshake(context.Background()); err != nil {
			t.Fatal(err)
		}
		mustEcho(t, c, []byte("with a client certificate"))
		c.Close()
		res := <-done
		if res.err != nil || len(res.st.PeerCertificates) == 0 {
			t.Fatalf("crypto/tls server: %v, %d peer certificates", res.err, len(res.st.PeerCertificates))
		}
	})
	t.Run("crypto/tls client, our server", func(t *testing.T) {
		cfg := serverConfig(t, certgen.ECDSAP256)
		cfg.ClientAuth, cfg.ClientCAs = tls.RequireAndVerifyClientCert, ca.Pool
		st, _ := serveGoClient(t, &tls.Config{RootCAs: ca.Pool, ServerName: testHost, Time: fixedTime,
			Certificates: []tls.Certificate{cert}}, []byte("ping"), cfg)
		if !st.Authorized || len(st.PeerCertificates) == 0 {
			t.Fatalf("state %+v", st)
		}
	})
}

// issuedByPool reports whether cert comes from ca (the client only sends
// certificates of the CAs the server names).
func issuedByPool(cert *tls.Certificate, ca *certgen.CA) bool {
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	return err == nil && bytes.Equal(leaf.RawIssuer, ca.Cert.RawSubject)
}
