package engine_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// readmeLoop is the README's hand-driven loop, word for word, with a round
// counter added so a test can tell a loop that ends from one that spins.
func readmeLoop(client, server *engine.Engine) (rounds int, err error) {
	buf := make([]byte, 64<<10)
	for {
		rounds++
		n, _ := client.Encrypted().Read(buf) // what the client wants sent
		server.Encrypted().Write(buf[:n])
		m, _ := server.Encrypted().Read(buf)
		client.Encrypted().Write(buf[:m])
		if n == 0 && m == 0 {
			break // nothing more in flight
		}
		if rounds > 10 {
			return rounds, errors.New("the README loop did not end")
		}
	}
	if err := errors.Join(client.Err(), server.Err()); err != nil {
		return rounds, err // refused: one side sent the alert, the other received it
	}
	return rounds, nil
}

// The README loop completes a handshake, and ends with the error within a
// few rounds when the handshake is refused.
func TestREADMELoop(t *testing.T) {
	ca, _ := fixtures(t)
	other, err := certgen.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		roots   *x509.CertPool
		wantErr bool
	}{
		{"verified", ca.Pool, false},
		{"refused: unknown CA", other.Pool, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := clientConfig(t)
			cfg.RootCAs = tc.roots
			client, err := engine.NewClient(cfg)
			if err != nil {
				t.Fatal(err)
			}
			server, err := engine.NewServer(serverConfig(t, certgen.ECDSAP256))
			if err != nil {
				t.Fatal(err)
			}
			rounds, err := readmeLoop(client, server)
			if (err != nil) != tc.wantErr || rounds > 4 || (err == nil && !(client.HandshakeComplete() && server.HandshakeComplete())) {
				t.Fatalf("after %d rounds: %v (want an error: %v)", rounds, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			client.Cleartext().Write([]byte("hello"))
			buf := make([]byte, 64<<10)
			n, _ := client.Encrypted().Read(buf)
			server.Encrypted().Write(buf[:n])
			n, _ = server.Cleartext().Read(buf)
			if string(buf[:n]) != "hello" {
				t.Fatalf("server read %q", buf[:n])
			}
		})
	}
}

// A refused handshake's error keeps the x509 error as its cause on the side
// that refused, which sent the alert; the other side received it.
func TestRefusedHandshakeErrors(t *testing.T) {
	ca, _ := fixtures(t)
	other, err := certgen.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	expired, err := ca.Leaf(certgen.ECDSAP256, []string{testHost}, certgen.LeafOptions{
		NotBefore: certgen.Epoch.AddDate(-2, 0, 0), NotAfter: certgen.Epoch.AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		roots     *x509.CertPool
		cert      *tls.Certificate
		alert     engine.Alert
		wantCause func(error) bool
	}{
		// RFC 8446 section 6.2: unknown_ca for a chain that does not lead to
		// a trusted root, certificate_expired for an expired certificate.
		{"unknown authority", other.Pool, nil, engine.AlertUnknownCA, func(err error) bool {
			var u x509.UnknownAuthorityError
			return errors.As(err, &u)
		}},
		{"expired", ca.Pool, &expired, engine.AlertCertificateExpired, func(err error) bool {
			var inv x509.CertificateInvalidError
			return errors.As(err, &inv) && inv.Reason == x509.Expired
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ccfg := clientConfig(t)
			ccfg.RootCAs = tc.roots
			scfg := serverConfig(t, certgen.ECDSAP256)
			if tc.cert != nil {
				scfg.Certificates = []tls.Certificate{*tc.cert}
			}
			client, _ := engine.NewClient(ccfg)
			server, _ := engine.NewServer(scfg)
			if _, err := readmeLoop(client, server); err == nil {
				t.Fatal("handshake succeeded")
			}
			var sent, received *engine.AlertError
			if !errors.As(client.Err(), &sent) || sent.Remote || sent.Alert != tc.alert {
				t.Fatalf("client error %v: want %v sent", client.Err(), tc.alert)
			}
			if !tc.wantCause(client.Err()) {
				t.Fatalf("client error %v does not unwrap to the x509 error (%T)", client.Err(), sent.Err)
			}
			if !errors.As(server.Err(), &received) || !received.Remote || received.Alert != tc.alert {
				t.Fatalf("server error %v: want %v received", server.Err(), tc.alert)
			}
		})
	}
}
