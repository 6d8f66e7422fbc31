package gnettls

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

const testHost = "localhost"

// echo writes back whatever arrives and records how connections ended.
type echo struct {
	mu     sync.Mutex
	secure int
	states []engine.ConnectionState
	closed []error
}

func (h *echo) OnSecure(c *Conn) {
	h.mu.Lock()
	h.secure++
	if len(h.states) < 100 {
		h.states = append(h.states, c.ConnectionState())
	}
	h.mu.Unlock()
}

// lastState is the state of the latest connection to complete.
func (h *echo) lastState() engine.ConnectionState {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.states[len(h.states)-1]
}

func (h *echo) OnData(c *Conn, data []byte) { _, _ = c.Write(data) }

func (h *echo) OnClose(_ *Conn, err error) {
	h.mu.Lock()
	h.closed = append(h.closed, err)
	h.mu.Unlock()
}

type fixture struct {
	addr  string
	roots *x509.CertPool
	ca    *certgen.CA
	srv   *Server
	h     *echo
	caPEM []byte
}

// startServer runs an echo Server on a free port until the test ends;
// configure, when set, adjusts its engine Config.
func startServer(t testing.TB, opts Options, kt certgen.KeyType, loops int, configure ...func(*engine.Config, *certgen.CA)) *fixture {
	t.Helper()
	ca, leaf := newCredentials(t, kt, certgen.LeafOptions{}, testHost)
	h := &echo{}
	cfg := &engine.Config{Certificates: []tls.Certificate{leaf}}
	for _, c := range configure {
		c(cfg, ca)
	}
	srv, err := NewServer(cfg, h, opts)
	if err != nil {
		t.Fatal(err)
	}
	addr := runServerLoops(t, srv, loops)
	return &fixture{addr: addr, roots: ca.Pool, ca: ca, srv: srv, h: h, caPEM: pemOf(ca)}
}

// echoOnce sends payload and reads it back.
func echoOnce(conn io.ReadWriter, payload []byte) error {
	if _, err := conn.Write(payload); err != nil {
		return err
	}
	got := make([]byte, len(payload))
	if _, err := io.ReadFull(conn, got); err != nil {
		return err
	}
	if !bytes.Equal(got, payload) {
		return fmt.Errorf("echo differs")
	}
	return nil
}

// crypto/tls clients at TLS 1.3 and 1.2 complete and get 64 KiB echoed
// (several records each way); a clean close reaches the Handler as nil.
func TestGoClients(t *testing.T) {
	f := startServer(t, Options{}, certgen.ECDSAP256, 2)
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		conn, err := tls.Dial("tcp", f.addr, &tls.Config{RootCAs: f.roots, ServerName: testHost, MaxVersion: v})
		if err != nil {
			t.Fatal(err)
		}
		if err := echoOnce(conn, bytes.Repeat([]byte{byte(v)}, 64<<10)); err != nil {
			t.Fatal(err)
		}
		if st := conn.ConnectionState(); st.Version != v {
			t.Fatalf("version %x", st.Version)
		}
		conn.Close()
	}
	waitFor(t, func() bool {
		f.h.mu.Lock()
		defer f.h.mu.Unlock()
		return len(f.h.closed) == 2
	})
	if f.h.secure != 2 || f.h.closed[0] != nil || f.h.closed[1] != nil {
		t.Fatalf("secure %d, closed %v", f.h.secure, f.h.closed)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}
