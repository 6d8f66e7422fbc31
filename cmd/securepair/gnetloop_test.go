package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the server's loops may write concurrently.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// `server -loop gnet` serves the echo server on gnet's event loops: a
// crypto/tls client verifying the server against the CA from `certs` is
// welcomed and echoed, the server reports the connection as the net loop
// does, and it stops when its context ends.
func TestServerOnGnet(t *testing.T) {
	dir := t.TempDir()
	var quiet bytes.Buffer
	if err := runCerts([]string{"-out", dir}, &quiet, &quiet); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- serveUntil(ctx, []string{"-listen", "127.0.0.1:0", "-loop", "gnet",
			"-cert", filepath.Join(dir, "server.pem"), "-key", filepath.Join(dir, "server-key.pem")}, &stdout, &stderr)
	}()
	addr := waitForLine(t, &stderr, "listening on ")

	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	for _, want := range []string{"welcome!\n", "over the loop\n"} {
		line, err := r.ReadString('\n')
		if err != nil || line != want {
			t.Fatalf("read %q, %v; want %q", line, err, want)
		}
		if want == "welcome!\n" {
			if _, err := c.Write([]byte("over the loop\n")); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.Close()
	if !strings.Contains(stdout.String(), "server connected") || !strings.Contains(stdout.String(), "ja4: t13d") {
		t.Errorf("server output:\n%s", stdout.String())
	}

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("server: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the gnet server did not stop with its context")
	}
}

// waitForLine waits for a line starting with prefix and returns the rest.
func waitForLine(t *testing.T, b *syncBuffer, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for line := range strings.Lines(b.String()) {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				return strings.TrimSpace(rest)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %q line in:\n%s", prefix, b.String())
	return ""
}
