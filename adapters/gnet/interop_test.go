package gnettls

import (
	"bufio"
	"context"
	"crypto/tls"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// openssl s_client at TLS 1.3 and 1.2, with a client certificate the
// server requires and verifies, gets its line echoed by the gnet server.
func TestOpenSSLClientWithCertificate(t *testing.T) {
	need(t, "openssl")
	f := startServer(t, Options{}, certgen.ECDSAP256, 2, func(c *engine.Config, ca *certgen.CA) {
		c.ClientAuth, c.ClientCAs = tls.RequireAndVerifyClientCert, ca.Pool
	})
	dir := t.TempDir()
	certFile, keyFile := writeKeyPair(t, dir, "client", issue(t, f.ca, certgen.ECDSAP256, certgen.LeafOptions{Client: true}, "client"))
	caFile := writePEM(t, dir, "ca.pem", f.caPEM)
	for _, version := range []string{"-tls1_3", "-tls1_2"} {
		t.Run(version, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "openssl", "s_client", "-connect", f.addr, "-servername", testHost, version,
				"-CAfile", caFile, "-verify_return_error", "-cert", certFile, "-key", keyFile, "-ign_eof", "-quiet")
			cmd.Stdin = strings.NewReader("line through gnet\n")
			out, _ := cmd.StdoutPipe()
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cancel(); _ = cmd.Wait() }()
			got, err := bufio.NewReader(out).ReadString('\n')
			if err != nil || got != "line through gnet\n" {
				t.Fatalf("s_client read %q, %v", got, err)
			}
			if st := f.h.lastState(); !st.Authorized || len(st.PeerCertificates) == 0 {
				t.Fatalf("client certificate not verified: %+v", st)
			}
		})
	}
}

// Our own client with a Chrome shape completes against the gnet server.
func TestOurClientChromeShape(t *testing.T) {
	f := startServer(t, Options{}, certgen.ECDSAP256, 1)
	conn, err := adapters.Dial("tcp", f.addr, &engine.Config{ServerName: testHost, RootCAs: f.roots, ClientHelloID: &utls.HelloChrome_Auto})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := echoOnce(conn, []byte("chrome-shaped")); err != nil {
		t.Fatal(err)
	}
	if st := conn.ConnectionState(); st.Version != engine.VersionTLS13 {
		t.Fatalf("state %+v", st)
	}
}
