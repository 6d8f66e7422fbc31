package interop

import (
	"bufio"
	"crypto/tls"
	"net"
	"os/exec"
	"strings"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/engine"
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

// uTLS's own client with a TLS 1.2 hello that has no extended_master_secret
// completes against `securepair server`, and its session is not resumed
// (RFC 7627 section 5.3): the second connection is a full handshake.
func TestUTLSClientWithoutEMS(t *testing.T) {
	_, addr := startServer(t)
	roots, err := engine.CertPoolFromPEM(mustRead(t, certFile("ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	cache := utls.NewLRUClientSessionCache(4)
	for i := range 2 {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		uc := utls.UClient(nc, &utls.Config{ServerName: "localhost", RootCAs: roots, ClientSessionCache: cache}, utls.HelloCustom)
		if err := uc.ApplyPreset(&utls.ClientHelloSpec{
			TLSVersMin: tls.VersionTLS12, TLSVersMax: tls.VersionTLS12, CompressionMethods: []uint8{0},
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
			Extensions: []utls.TLSExtension{
				&utls.SNIExtension{},
				&utls.SupportedCurvesExtension{Curves: []utls.CurveID{utls.X25519, utls.CurveP256}},
				&utls.SupportedPointsExtension{SupportedPoints: []uint8{0}},
				&utls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: []utls.SignatureScheme{utls.ECDSAWithP256AndSHA256, utls.PSSWithSHA256}},
				&utls.SessionTicketExtension{},
				&utls.RenegotiationInfoExtension{Renegotiation: utls.RenegotiateOnceAsClient},
			},
		}); err != nil {
			t.Fatal(err)
		}
		if err := uc.Handshake(); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		st := uc.ConnectionState()
		if st.Version != tls.VersionTLS12 || st.DidResume {
			t.Fatalf("connection %d: version %#04x, resumed %v", i, st.Version, st.DidResume)
		}
		line, err := bufio.NewReader(uc).ReadString('\n')
		if err != nil || line != "welcome!\n" {
			t.Fatalf("connection %d read %q: %v", i, line, err)
		}
		uc.Close()
	}
}
