package engine_test

import (
	"bytes"
	"crypto/tls"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// With HalfRTT a TLS 1.3 server's data written before the handshake
// completes goes out right after its Finished: the client reads it before
// its own Finished has reached the server (RFC 8446 section 4.4.4). Without
// it, or at TLS 1.2, the data waits for the client's Finished.
func TestHalfRTTData(t *testing.T) {
	tests := []struct {
		name    string
		halfRTT bool
		version uint16
		early   bool // the client reads the data before the server completes
	}{
		{"half-RTT at TLS 1.3", true, tls.VersionTLS13, true},
		{"off at TLS 1.3", false, tls.VersionTLS13, false},
		{"half-RTT asked at TLS 1.2", true, tls.VersionTLS12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
			c.MaxVersion, s.HalfRTT = tt.version, tt.halfRTT
			client, _ := engine.NewClient(c)
			server, _ := engine.NewServer(s)
			greeting := []byte("hello before your Finished")
			if _, err := server.Cleartext().Write(greeting); err != nil {
				t.Fatal(err)
			}
			// Client flight to the server, the server's flight back; the
			// client's second flight is not delivered yet.
			move(t, client, server)
			move(t, server, client)
			got := make([]byte, 64)
			n, _ := client.Cleartext().Read(got)
			if readEarly := bytes.Equal(got[:n], greeting); readEarly != tt.early || (tt.early && server.HandshakeComplete()) {
				t.Fatalf("client read %q before the server completed (server done %v)", got[:n], server.HandshakeComplete())
			}
			for range 2 { // the rest of the handshake
				move(t, client, server)
				move(t, server, client)
			}
			if !tt.early {
				if n, _ = client.Cleartext().Read(got); !bytes.Equal(got[:n], greeting) {
					t.Fatalf("after the handshake the client read %q", got[:n])
				}
			}
			if !server.HandshakeComplete() || !client.HandshakeComplete() {
				t.Fatal("the handshake did not complete")
			}
		})
	}
}

// move feeds everything src has to send into dst.
func move(t *testing.T, src, dst *engine.Engine) {
	t.Helper()
	buf := make([]byte, 64<<10)
	for {
		n, _ := src.Encrypted().Read(buf)
		if n == 0 {
			return
		}
		if _, err := dst.Encrypted().Write(buf[:n]); err != nil && err != engine.ErrWouldBlock {
			t.Fatal(err)
		}
	}
}

// With HalfRTT, tickets go out with the server's flight when the client's
// Finished is predictable: the client holds a ticket before its Finished
// reached the server, and the ticket resumes. With a client certificate
// requested, tickets wait for the client's Finished.
func TestHalfRTTTickets(t *testing.T) {
	ca, _ := fixtures(t)
	for _, clientAuth := range []bool{false, true} {
		c, s := resume13Configs(t)
		s.HalfRTT = true
		if clientAuth {
			s.ClientAuth, s.ClientCAs = tls.RequestClientCert, ca.Pool
		}
		client, _ := engine.NewClient(c)
		server, _ := engine.NewServer(s)
		move(t, client, server)
		move(t, server, client)
		client.Cleartext().Read(make([]byte, 16)) // let the client take what came
		early := lastTicket(client) != nil
		if early == clientAuth || server.HandshakeComplete() {
			t.Fatalf("client auth %v: a ticket before the client's Finished: %v", clientAuth, early)
		}
		for range 2 {
			move(t, client, server)
			move(t, server, client)
		}
		client.Cleartext().Read(make([]byte, 16))
		if _, resumed := connect13(t, c, s); !resumed {
			t.Fatalf("client auth %v: the ticket did not resume", clientAuth)
		}
	}
}
