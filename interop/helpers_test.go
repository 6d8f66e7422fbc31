// Package interop runs securepair against real peers on 127.0.0.1: the
// OpenSSL CLI, GnuTLS, Node.js, Python's ssl, curl, tshark and PostgreSQL. .ci/run installs
// them, so these tests never skip in CI.
package interop

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	spBinary string // the securepair command, built once
	certs    string // a directory from `securepair certs`
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "securepair-interop")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	spBinary = filepath.Join(dir, "securepair")
	certs = filepath.Join(dir, "certs")
	build := exec.Command("go", "build", "-o", spBinary, "../cmd/securepair")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building securepair:", err)
		os.Exit(1)
	}
	if out, err := exec.Command(spBinary, "certs", "-out", certs, "-hosts", "localhost,127.0.0.1").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "certs: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func certFile(name string) string { return filepath.Join(certs, name) }

// need fails the test when a peer program is missing: CI installs them all.
func need(t *testing.T, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		t.Fatalf("%s is not installed (.ci/run installs it): %v", program, err)
	}
	return p
}

// process is a running program with its output collected.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	mu     sync.Mutex
	output bytes.Buffer // stdout and stderr interleaved
	done   chan struct{}
	err    error // from Wait, once done is closed
}

func (p *process) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.Write(b)
}

// Output returns what the program printed so far.
func (p *process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}

// start runs a program until the test ends.
func start(t *testing.T, name string, args ...string) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &process{cmd: exec.CommandContext(ctx, name, args...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = p, p
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = stdin
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		cancel()
		<-p.done
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), p.Output())
		}
	})
	return p
}

// waitFor waits until the output contains every one of want.
func (p *process) waitFor(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		out := p.Output()
		missing := false
		for _, w := range want {
			missing = missing || !strings.Contains(out, w)
		}
		if !missing {
			return
		}
		select {
		case <-p.done:
			if out = p.Output(); !containsAll(out, want) {
				t.Fatalf("%s exited (%v) without printing %q", p.cmd.Path, p.cmd.ProcessState, want)
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("timed out waiting for %q", want)
}

func containsAll(s string, want []string) bool {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// wait waits for the program to exit and returns its exit error.
func (p *process) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(30 * time.Second):
		t.Fatal("program did not exit")
	}
	return nil
}

// startServer runs `securepair server` on a free port and returns it and
// its address.
func startServer(t *testing.T, args ...string) (*process, string) {
	t.Helper()
	base := []string{"server", "-listen", "127.0.0.1:0", "-cert", certFile("server.pem"), "-key", certFile("server-key.pem")}
	p := start(t, spBinary, append(base, args...)...)
	p.waitFor(t, "listening on ")
	sc := bufio.NewScanner(strings.NewReader(p.Output()))
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			return p, addr
		}
	}
	t.Fatal("no address")
	return nil, ""
}

func port(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return port(ln.Addr().String())
}

// waitListening waits until something accepts connections on addr.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s", addr)
}
