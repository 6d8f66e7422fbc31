package interop

import (
	"os/exec"
	"strings"
	"testing"
)

// gnutlsCli runs gnutls-cli with a priority string against addr, connecting
// twice with -r (the second time resuming if it can), and returns its output.
func gnutlsCli(t *testing.T, addr, priority string) string {
	t.Helper()
	cmd := exec.Command(need(t, "gnutls-cli"), "--x509cafile", certFile("ca.pem"), "--priority", priority,
		"-p", port(addr), "-r", "localhost")
	cmd.Stdin = strings.NewReader("hello gnutls\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("gnutls-cli %s: %v\n%s", priority, err, out)
	}
	return string(out)
}

// GnuTLS clients with the TLS 1.2 options some peers run with, against
// `securepair server`:
//   - %DISABLE_SAFE_RENEGOTIATION: no renegotiation_info offered, so none
//     may be answered (RFC 5246 section 7.4.1.4, RFC 5746 section 3.6);
//   - %NO_SESSION_HASH: no extended master secret: the handshake completes,
//     and resuming falls back to a full handshake (RFC 7627 section 5.3);
//   - neither: EMS and safe renegotiation, and the session resumes.
func TestGnuTLSClientTLS12Options(t *testing.T) {
	_, addr := startServer(t)
	cases := []struct {
		name, priority string
		ems, resumed   bool
	}{
		{"no safe renegotiation", "NORMAL:-VERS-ALL:+VERS-TLS1.2:%DISABLE_SAFE_RENEGOTIATION", true, true},
		{"no extended master secret", "NORMAL:-VERS-ALL:+VERS-TLS1.2:%NO_SESSION_HASH", false, false},
		{"defaults", "NORMAL:-VERS-ALL:+VERS-TLS1.2", true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := gnutlsCli(t, addr, tc.priority)
			if strings.Count(out, "Handshake was completed") != 2 || !strings.Contains(out, "hello gnutls") {
				t.Fatalf("handshakes or echo missing:\n%s", out)
			}
			if got := strings.Contains(out, "extended master secret"); got != tc.ems {
				t.Errorf("extended master secret reported %v, want %v", got, tc.ems)
			}
			if got := strings.Contains(out, "This is a resumed session"); got != tc.resumed {
				t.Errorf("resumed %v, want %v:\n%s", got, tc.resumed, out)
			}
		})
	}
}
