package engine_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/internal/racebuild"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// moveLent moves ciphertext from one engine to the other the copy-free way:
// the copy stands for the socket, from one engine's output buffer (Peek)
// straight into the other's input buffer (Room). It stops when the
// receiver has no room left (its cleartext must be read first).
func moveLent(from, to *engine.Engine) error {
	for {
		out := from.Encrypted().Peek()
		if len(out) == 0 {
			return nil
		}
		n := copy(to.Encrypted().Room(), out)
		from.Encrypted().Discard(n)
		if err := to.Encrypted().Commit(n); err != nil || n == 0 {
			return err
		}
	}
}

// readLent takes n bytes of cleartext where they were decrypted.
func readLent(e *engine.Engine, n int, sum *int) {
	for n > 0 {
		p := e.Cleartext().Peek()
		if len(p) == 0 {
			return
		}
		k := min(n, len(p))
		for _, b := range p[:k] {
			*sum += int(b)
		}
		e.Cleartext().Discard(k)
		n -= k
	}
}

// On the lent-buffer path data arrives intact, the engines hold no buffer
// once drained, and a record costs no allocation, in both versions and for
// large and small records.
func TestLentBuffersCarryDataWithoutAllocating(t *testing.T) {
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		c := clientConfig(t)
		c.MaxVersion = version
		p := handshakePair(t, c, serverConfig(t, certgen.ECDSAP256))
		for _, size := range []int{16 << 10, 64 << 10, 64} {
			t.Run(fmt.Sprintf("version %#x, %d bytes", version, size), func(t *testing.T) {
				data := bigPayload(size)
				want := 0
				for _, b := range data {
					want += int(b)
				}
				var err error
				sum := 0
				run := func() {
					for off := 0; (off < len(data) || p.Client.Encrypted().Pending() > 0) && err == nil; {
						n, _ := p.Client.Cleartext().Write(data[off:])
						off += n
						if err = moveLent(p.Client, p.Server); err == nil {
							readLent(p.Server, len(data), &sum)
						}
					}
				}
				run()
				if err != nil || sum != want {
					t.Fatalf("checksum %d, want %d (%v)", sum, want, err)
				}
				if held := engine.HeldBufferBytes(p.Client) + engine.HeldBufferBytes(p.Server); held != 0 {
					t.Fatalf("drained engines hold %d bytes", held)
				}
				if racebuild.Enabled {
					return
				}
				if allocs := testing.AllocsPerRun(100, run); err != nil || allocs != 0 {
					t.Fatalf("%v allocations per write of %d bytes (%v)", allocs, size, err)
				}
			})
		}
	}
}

// A lent input buffer stays put while the engine is used for other things
// (an adapter's writer works while its reader waits on the network), and a
// lent output buffer keeps its bytes while more records are queued behind.
func TestLentBuffersStayPut(t *testing.T) {
	p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	room := p.Client.Encrypted().Room()
	if _, err := p.Client.Cleartext().Write([]byte("client writes meanwhile")); err != nil {
		t.Fatal(err)
	}
	if err := moveLent(p.Client, p.Server); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Server.Cleartext().Write([]byte("for the lent room")); err != nil {
		t.Fatal(err)
	}
	out := p.Server.Encrypted().Peek()
	sent := bytes.Clone(out)
	if err := p.Server.KeyUpdate(false); err != nil { // queued behind the lent bytes
		t.Fatal(err)
	}
	if !bytes.Equal(out, sent) {
		t.Fatal("bytes lent by Peek changed when a record was queued")
	}
	n := copy(room, out)
	p.Server.Encrypted().Discard(n)
	if err := p.Client.Encrypted().Commit(n); err != nil {
		t.Fatal(err)
	}
	if err := moveLent(p.Server, p.Client); err != nil {
		t.Fatal(err)
	}
	if got := string(p.Client.Cleartext().Peek()); got != "for the lent room" {
		t.Fatalf("read %q through the lent room", got)
	}
	p.Client.Cleartext().Discard(len("for the lent room"))
	if got := string(p.Server.Cleartext().Peek()); got != "client writes meanwhile" {
		t.Fatalf("server read %q", got)
	}
}

// A room lent and given back unused leaves the engine holding nothing: an
// idle connection waiting for the network costs no buffer.
func TestRoomGivenBackUnused(t *testing.T) {
	p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	if len(p.Client.Encrypted().Room()) == 0 {
		t.Fatal("no room lent")
	}
	if engine.HeldBufferBytes(p.Client) == 0 {
		t.Fatal("a lent room is not counted as held")
	}
	if err := p.Client.Encrypted().Commit(0); err != nil {
		t.Fatal(err)
	}
	if held := engine.HeldBufferBytes(p.Client); held != 0 {
		t.Fatalf("%d bytes held after the room came back unused", held)
	}
}

// Giving back more than was lent is the caller's bug and panics, with a
// message that says so, before anything is corrupted.
func TestLendingMisusePanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(e *engine.Engine)
	}{
		{"Commit without Room", func(e *engine.Engine) { e.Encrypted().Commit(1) }},
		{"Commit past the room", func(e *engine.Engine) { e.Encrypted().Commit(len(e.Encrypted().Room()) + 1) }},
		{"Discard past the pending ciphertext", func(e *engine.Engine) { e.Encrypted().Discard(e.Encrypted().Pending() + 1) }},
		{"Discard past the cleartext", func(e *engine.Engine) { e.Cleartext().Discard(1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
			defer func() {
				if r := recover(); r == nil {
					t.Fatal("no panic")
				} else if msg, _ := r.(string); !strings.HasPrefix(msg, "engine: ") {
					t.Fatalf("panic %v, want the engine's message", r)
				}
			}()
			tc.do(p.Client)
		})
	}
}
