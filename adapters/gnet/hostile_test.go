package gnettls

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// On a single event loop, a peer that never reads what it is sent, one that
// drips its ClientHello a byte at a time and one that sends garbage do not
// stop other connections being served: normal clients complete handshakes
// and echoes meanwhile (their latency is logged). The one that never reads
// is stopped by back-pressure and, as it keeps sending, closed at
// MaxInbound; the garbage gets an alert.
func TestHostilePeers(t *testing.T) {
	f := startServer(t, Options{MaxOutbound: 64 << 10, MaxInbound: 256 << 10}, certgen.ECDSAP256, 1)
	cfg := &tls.Config{RootCAs: f.roots, ServerName: testHost}

	quiet := normalLatencies(t, f.addr, cfg, 10)

	stuck, err := tls.Dial("tcp", f.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	stuckDone := make(chan error, 1)
	go func() { // writes and never reads: the echo piles up at the server
		chunk := bytes.Repeat([]byte{'s'}, 16<<10)
		for {
			if _, err := stuck.Write(chunk); err != nil {
				stuckDone <- err
				return
			}
		}
	}()

	drip, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer drip.Close()
	hello := clientHelloBytes(t)
	go func() {
		for i := range hello {
			if _, err := drip.Write(hello[i : i+1]); err != nil {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()

	garbage, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer garbage.Close()
	if _, err := garbage.Write(bytes.Repeat([]byte{0x16, 0x03, 0x03, 0x00, 0x04, 0xff, 0xff, 0xff, 0xff}, 100)); err != nil {
		t.Fatal(err)
	}

	busy := normalLatencies(t, f.addr, cfg, 10)
	t.Logf("handshake+echo latency, median/max: quiet %v/%v, beside hostile peers %v/%v",
		quiet[0], quiet[1], busy[0], busy[1])

	garbage.SetReadDeadline(time.Now().Add(10 * time.Second))
	answer, _ := io.ReadAll(garbage)
	if len(answer) < 7 || answer[0] != 0x15 { // an alert record, then the close
		t.Fatalf("garbage got %x", answer)
	}
	select {
	case <-stuckDone:
	case <-time.After(20 * time.Second):
		t.Fatal("the peer that never reads was never stopped")
	}
	waitFor(t, func() bool {
		f.h.mu.Lock()
		defer f.h.mu.Unlock()
		return slices.ContainsFunc(f.h.closed, func(err error) bool { return errors.Is(err, errInboundLimit) })
	})
}

// normalLatencies runs n handshakes with a 1 KiB echo one after another and
// returns the median and the maximum time each took.
func normalLatencies(t *testing.T, addr string, cfg *tls.Config, n int) [2]time.Duration {
	t.Helper()
	var took []time.Duration
	for range n {
		start := time.Now()
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := echoOnce(c, bytes.Repeat([]byte{'n'}, 1024)); err != nil {
			t.Fatal(err)
		}
		took = append(took, time.Since(start))
		c.Close()
	}
	slices.Sort(took)
	return [2]time.Duration{took[n/2], took[n-1]}
}

// clientHelloBytes is a ClientHello record from our own client.
func clientHelloBytes(t *testing.T) []byte {
	e, err := engine.NewClient(&engine.Config{ServerName: testHost, InsecureAcceptUnauthorized: true})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8<<10)
	n, err := e.Encrypted().Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf[:n]
}
