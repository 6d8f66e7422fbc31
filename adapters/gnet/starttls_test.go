package gnettls

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// smtpEcho speaks just enough SMTP (RFC 3207) to upgrade, then echoes.
type smtpEcho struct{ echo }

func (h *smtpEcho) OnOpenPlaintext(c *Conn) { _ = c.WritePlaintext([]byte("220 gnet ESMTP\r\n")) }

// OnPlaintext answers whole lines; STARTTLS upgrades.
func (h *smtpEcho) OnPlaintext(c *Conn, data []byte) int {
	end := bytes.Index(data, []byte("\r\n"))
	if end < 0 {
		return 0
	}
	line := strings.ToUpper(string(data[:end]))
	switch {
	case strings.HasPrefix(line, "EHLO"):
		_ = c.WritePlaintext([]byte("250-gnet\r\n250 STARTTLS\r\n"))
	case line == "STARTTLS":
		_ = c.WritePlaintext([]byte("220 2.0.0 Ready to start TLS\r\n"))
		_ = c.StartTLS()
	default:
		_ = c.WritePlaintext([]byte("502 5.5.1 Unrecognized command\r\n"))
	}
	return end + 2
}

// A connection that begins as SMTP upgrades on the event loop: our STARTTLS
// client (the adapters' SMTP dialogue) and openssl s_client -starttls smtp
// both get their line echoed over TLS.
func TestStartTLSOnTheLoop(t *testing.T) {
	ca, leaf := newCredentials(t, certgen.ECDSAP256, certgen.LeafOptions{}, testHost)
	h := &smtpEcho{}
	srv, err := NewServer(&engine.Config{Certificates: []tls.Certificate{leaf}}, h, Options{StartPlaintext: true})
	if err != nil {
		t.Fatal(err)
	}
	addr := runServer(t, srv)

	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := adapters.DialStartTLS(nc, adapters.SMTP, &engine.Config{ServerName: testHost, RootCAs: ca.Pool})
	if err != nil {
		t.Fatal(err)
	}
	if err := echoOnce(conn, []byte("after STARTTLS\n")); err != nil {
		t.Fatal(err)
	}
	conn.Close()

	need(t, "openssl")
	caFile := writePEM(t, t.TempDir(), "ca.pem", pemOf(ca))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", "s_client", "-connect", addr, "-starttls", "smtp", "-servername", testHost,
		"-CAfile", caFile, "-verify_return_error", "-ign_eof", "-quiet")
	cmd.Stdin = strings.NewReader("openssl after STARTTLS\n")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("s_client: %v", err)
		}
		if line == "openssl after STARTTLS\n" {
			break
		}
	}
}

// runServer runs srv on a free port with one loop until the test ends.
func runServer(t testing.TB, srv *Server) string { return runServerLoops(t, srv, 1) }

// runServerLoops runs srv on a port the system picks until the test ends,
// returning the address Server.Addr reports.
func runServerLoops(t testing.TB, srv *Server, loops int) string {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- gnet.Run(srv, "tcp://127.0.0.1:0", gnet.WithTicker(true), gnet.WithNumEventLoop(loops), gnet.WithReusePort(false))
	}()
	select {
	case <-srv.Started():
	case err := <-done:
		t.Fatalf("gnet: %v", err)
	}
	if srv.Addr() == nil {
		t.Fatal("Server.Addr is nil after Started")
	}
	addr := srv.Addr().String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("stopping gnet: %v", err)
		}
		<-done
	})
	return addr
}
