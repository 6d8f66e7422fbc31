package gnettls

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/securepair/securepair/securepairtest/certgen"
)

// The clients of TestManyConnections run in a child process (this test
// binary again), so that each process needs one descriptor per connection.
const childEnv = "GNETTLS_CLIENTS"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runClients(spec))
	}
	os.Exit(m.Run())
}

// raiseFileLimit lifts the soft limit on descriptors as far as allowed and
// returns it.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	lim.Cur = lim.Max
	return lim.Cur, syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

// 10,000 TLS connections held open at once on a four-loop server: every
// handshake completes, the server process's goroutine count stays at what
// gnet starts plus a constant (no goroutine per connection), and a 1 KiB
// echo on every connection arrives intact.
func TestManyConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("holds thousands of connections")
	}
	n := 10000
	limit, err := raiseFileLimit()
	if err != nil {
		t.Fatal(err)
	}
	if room := int(limit) - 100; room < n {
		t.Logf("the file limit (%d) allows %d connections, not %d", limit, room, n)
		n = room
	}
	f := startServer(t, Options{}, certgen.ECDSAP256, 4)
	base := runtime.NumGoroutine()
	clients := startClients(t, f.addr, n, 1<<10, f.caPEM)
	defer clients.stop()
	waitFor(t, func() bool {
		f.h.mu.Lock()
		defer f.h.mu.Unlock()
		return f.h.secure == n
	})
	if extra := runtime.NumGoroutine() - base; extra > 10 {
		t.Fatalf("%d goroutines beyond the server's own with %d connections open", extra, n)
	}
	goroutines := runtime.NumGoroutine()
	fmt.Fprintln(clients.stdin, "echo")
	clients.expect(t, "echoed")
	t.Logf("%d connections held and echoed; server goroutines %d (before any connection: %d)", n, goroutines, base)
}

// clientProcess is the child holding the connections.
type clientProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines *bufio.Scanner
}

// startClients runs the child with n connections to addr and returns once
// it says they are all connected; told to, it echoes echoSize bytes on each.
func startClients(t testing.TB, addr string, n, echoSize int, caPEM []byte) *clientProcess {
	t.Helper()
	caFile := writePEM(t, t.TempDir(), "ca.pem", caPEM)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s,%d,%s,%d", childEnv, addr, n, caFile, echoSize))
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &clientProcess{cmd: cmd, stdin: stdin, lines: bufio.NewScanner(stdout)}
	c.expect(t, "connected")
	return c
}

// expect reads the child's next line and fails unless it is want.
func (c *clientProcess) expect(t testing.TB, want string) {
	t.Helper()
	if !c.lines.Scan() {
		t.Fatalf("the client process ended: %v", c.lines.Err())
	}
	if got := c.lines.Text(); got != want {
		t.Fatalf("the client process says %q", got)
	}
}

// stop ends the child: its connections close.
func (c *clientProcess) stop() {
	c.stdin.Close()
	_ = c.cmd.Wait()
}

// runClients is the child: it connects n clients (64 handshakes at a
// time), says "connected", waits for a line, echoes the given number of
// bytes on every connection at once, says "echoed" and waits for its input
// to end.
func runClients(spec string) int {
	parts := strings.Split(spec, ",")
	n, _ := strconv.Atoi(parts[1])
	echoSize, _ := strconv.Atoi(parts[3])
	caPEM, err := os.ReadFile(parts[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := raiseFileLimit(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	cfg := &tls.Config{RootCAs: roots, ServerName: testHost}
	conns := make([]*tls.Conn, n)
	if err := forEach(n, 64, func(i int) error {
		c, err := tls.Dial("tcp", parts[0], cfg)
		conns[i] = c
		return err
	}); err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		return 1
	}
	fmt.Println("connected")
	in := bufio.NewScanner(os.Stdin)
	in.Scan()
	payload := bytes.Repeat([]byte("0123456789abcdef"), echoSize/16)
	if err := forEach(n, n, func(i int) error { return echoOnce(conns[i], payload) }); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		return 1
	}
	fmt.Println("echoed")
	for in.Scan() {
	}
	for _, c := range conns {
		c.Close()
	}
	return 0
}

// forEach runs do for 0..n-1 on the given number of workers, returning
// the first error.
func forEach(n, workers int, do func(int) error) error {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				if err := do(i); err != nil {
					once.Do(func() { first = err })
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}
