package main

import (
	"bytes"
	"context"
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

// startCommandServer runs `securepair server` in this process with args,
// on a port the system picks, with a CA, server and client certificates
// from `securepair certs` in dir. stop ends it and checks that it returns
// cleanly.
func startCommandServer(t *testing.T, args ...string) (dir, addr string, stdout *syncBuffer, stop func()) {
	t.Helper()
	dir = t.TempDir()
	var quiet bytes.Buffer
	if err := runCerts([]string{"-out", dir}, &quiet, &quiet); err != nil {
		t.Fatal(err)
	}
	stdout = &syncBuffer{}
	var stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	args = append([]string{"-listen", "127.0.0.1:0", "-cert", filepath.Join(dir, "server.pem"), "-key", filepath.Join(dir, "server-key.pem")}, args...)
	go func() { served <- serveUntil(ctx, args, stdout, &stderr) }()
	addr = waitForLine(t, &stderr, "listening on ")
	stop = func() {
		t.Helper()
		cancel()
		select {
		case err := <-served:
			if err != nil {
				t.Fatalf("server: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the server did not stop with its context")
		}
	}
	return dir, addr, stdout, stop
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
