package interop

import (
	"os/exec"
	"strings"
	"testing"
)

// openssl s_client -sigalgs against our server (an ECDSA P-256 certificate):
// an accepted scheme is the one the server signs with; one our key cannot
// sign with is refused with handshake_failure; and our server restricted
// by -sigalgs refuses a client whose list misses its scheme. Both
// versions.
func TestOpenSSLSigalgs(t *testing.T) {
	need(t, "openssl")
	for _, version := range []string{"-tls1_3", "-tls1_2"} {
		tests := []struct {
			name       string
			serverArgs []string
			sigalgs    string
			ok         bool
		}{
			{"ECDSA+SHA256 accepted", nil, "ECDSA+SHA256", true},
			{"RSA-PSS only refused", nil, "RSA-PSS+SHA256", false},
			{"server restricted to ecdsa_secp256r1_sha256, client offers it", []string{"-sigalgs", "ecdsa_secp256r1_sha256"}, "ECDSA+SHA256:ed25519", true},
			{"server restricted to ed25519, which its key cannot use", []string{"-sigalgs", "ed25519"}, "ECDSA+SHA256:ed25519", false},
		}
		for _, tt := range tests {
			t.Run(version+"/"+tt.name, func(t *testing.T) {
				_, addr := startServer(t, tt.serverArgs...)
				cmd := exec.Command("openssl", "s_client", "-connect", addr, "-servername", "localhost", version,
					"-sigalgs", tt.sigalgs, "-CAfile", certFile("ca.pem"))
				cmd.Stdin = strings.NewReader("")
				out, err := cmd.CombinedOutput()
				text := string(out)
				if tt.ok {
					if err != nil || !strings.Contains(text, "Peer signature type: ECDSA") || !strings.Contains(text, "Peer signing digest: SHA256") {
						t.Fatalf("%v\n%s", err, text)
					}
					return
				}
				if err == nil || !strings.Contains(text, "handshake failure") {
					t.Fatalf("want a handshake_failure alert: %v\n%s", err, text)
				}
			})
		}
	}
}

// Our client with an ECDSA P-256 certificate against openssl s_server
// -client_sigalgs (-Verify 1): asked for ECDSA+SHA256 it signs with it and
// reports the scheme; asked for RSA-PSS only, no scheme fits its key, so
// it sends no certificate and the server refuses it with an alert.
func TestOpenSSLClientSigalgs(t *testing.T) {
	need(t, "openssl")
	for _, version := range []string{"-tls1_3", "-tls1_2"} {
		for _, tc := range []struct {
			asked string
			ok    bool
		}{{"ECDSA+SHA256", true}, {"RSA-PSS+SHA256", false}} {
			t.Run(version+"/"+tc.asked, func(t *testing.T) {
				port := freePort(t)
				start(t, "openssl", "s_server", "-accept", "127.0.0.1:"+port, version, "-Verify", "1",
					"-client_sigalgs", tc.asked, "-CAfile", certFile("ca.pem"),
					"-cert", certFile("server.pem"), "-key", certFile("server-key.pem"))
				waitListening(t, "127.0.0.1:"+port)
				out, err := ourClient(t, "hello\n", "-connect", "127.0.0.1:"+port, "-servername", "localhost", "-ca", certFile("ca.pem"),
					"-cert", certFile("client.pem"), "-key", certFile("client-key.pem"))
				if tc.ok {
					if err != nil || !strings.Contains(out, "local signature: ecdsa_secp256r1_sha256") {
						t.Fatalf("%v\n%s", err, out)
					}
					return
				}
				if err == nil || !strings.Contains(out, "received alert") {
					t.Fatalf("want the server's alert: %v\n%s", err, out)
				}
			})
		}
	}
}

// openssl s_client -client_sigalgs against our server requiring a client
// certificate: with ECDSA+SHA256 it signs with its ECDSA key and is let
// in; with RSA-PSS only its key fits nothing, it sends no certificate, and
// our server refuses it.
func TestOpenSSLClientSideClientSigalgs(t *testing.T) {
	need(t, "openssl")
	for _, tc := range []struct {
		sigalgs string
		ok      bool
	}{{"ECDSA+SHA256", true}, {"RSA-PSS+SHA256", false}} {
		t.Run(tc.sigalgs, func(t *testing.T) {
			srv, addr := startServer(t, "-request-cert", "-reject-unauthorized", "-ca", certFile("ca.pem"))
			c := start(t, "openssl", "s_client", "-connect", addr, "-servername", "localhost", "-tls1_3",
				"-client_sigalgs", tc.sigalgs, "-cert", certFile("client.pem"), "-key", certFile("client-key.pem"),
				"-CAfile", certFile("ca.pem"), "-ign_eof")
			if tc.ok {
				c.waitFor(t, "welcome!")
				srv.waitFor(t, "server connected authorized")
				return
			}
			srv.waitFor(t, "server handshake failed", "certificate_required")
		})
	}
}
