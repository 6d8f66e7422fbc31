package redisstore

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// serveTCP runs cfg as a TLS server on 127.0.0.1 that writes "welcome!"
// (which carries TLS 1.3 tickets to the client) and echoes.
func serveTCP(t *testing.T, cfg *engine.Config) string {
	t.Helper()
	srv := &adapters.TLSServer{Config: cfg, OnSecureConnection: func(c *adapters.Conn) {
		io.WriteString(c, "welcome!\n")
		io.Copy(c, c)
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// openssl s_client saves its session on one server of the fleet and
// resumes it on another: TLS 1.3 and TLS 1.2 tickets, and a TLS 1.2
// session ID (-no_ticket).
func TestOpenSSLResumesOnAnotherServer(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatalf("openssl is not installed (test.sh installs it): %v", err)
	}
	r := startRedis(t)
	servers, _ := fleet(t, r, 2, Options{})
	addrs := []string{serveTCP(t, servers[0]), serveTCP(t, servers[1])}
	ca, _ := credentials(t)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, certgen.CertPEM([][]byte{ca.Cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		version string
	}{
		{"TLS 1.3 ticket", []string{"-tls1_3"}, "TLSv1.3"},
		{"TLS 1.2 ticket", []string{"-tls1_2"}, "TLSv1.2"},
		{"TLS 1.2 session ID", []string{"-tls1_2", "-no_ticket"}, "TLSv1.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sess := filepath.Join(t.TempDir(), "session.pem")
			if out := sClient(t, addrs[0], caFile, append(tt.args, "-sess_out", sess)); !strings.Contains(out, "New, "+tt.version) {
				t.Fatalf("on server 1:\n%s", out)
			}
			if out := sClient(t, addrs[1], caFile, append(tt.args, "-sess_in", sess)); !strings.Contains(out, "Reused, "+tt.version) {
				t.Fatalf("on server 2 the session was not reused:\n%s", out)
			}
		})
	}
}

// sClient runs openssl s_client against addr until the server's welcome,
// then closes its input and returns what it printed.
func sClient(t *testing.T, addr, caFile string, args []string) string {
	t.Helper()
	base := []string{"s_client", "-connect", addr, "-servername", fleetHost, "-CAfile", caFile, "-verify_return_error"}
	cmd := exec.Command("openssl", append(base, args...)...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if sc.Text() == "welcome!" {
				stdin.Close()
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("s_client did not finish:\n%s", out.String())
	}
	cmd.Wait()
	return out.String()
}
