package engine_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// recordsIn counts the records in a stretch of ciphertext.
func recordsIn(wire []byte) int {
	n := 0
	for len(wire) >= record.HeaderLen {
		wire = wire[record.HeaderLen+(int(wire[3])<<8|int(wire[4])):]
		n++
	}
	return n
}

// Corked writes become as few records as fit, sent at Uncork, Close or
// KeyUpdate, or when 16 KiB are held; the peer reads every byte in order.
func TestCorkCoalescesWrites(t *testing.T) {
	for _, tc := range []struct {
		name             string
		writes, size     int
		end              func(e *engine.Engine) error
		recordsBeforeEnd int
		recordsAtEnd     int // records the end adds (close_notify and KeyUpdate count)
	}{
		{"100 messages of 64 bytes, Uncork", 100, 64, func(e *engine.Engine) error { return e.Cleartext().Uncork() }, 0, 1},
		{"20 KiB in 64-byte writes, Uncork", 320, 64, func(e *engine.Engine) error { return e.Cleartext().Uncork() }, 1, 1},
		{"held data goes before close_notify", 10, 64, (*engine.Engine).Close, 0, 2},
		{"held data goes under the old key", 10, 64, func(e *engine.Engine) error { return e.KeyUpdate(false) }, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
			p.Client.Cleartext().Cork()
			var want bytes.Buffer
			for i := range tc.writes {
				msg := bytes.Repeat([]byte{byte(i)}, tc.size)
				want.Write(msg)
				if n, err := p.Client.Cleartext().Write(msg); n != len(msg) || err != nil {
					t.Fatalf("write %d: %d, %v", i, n, err)
				}
			}
			pending := readAll(t, p.Client)
			if got := recordsIn(pending); got != tc.recordsBeforeEnd {
				t.Fatalf("%d records before the end, want %d", got, tc.recordsBeforeEnd)
			}
			if err := tc.end(p.Client); err != nil {
				t.Fatal(err)
			}
			rest := readAll(t, p.Client)
			if got := recordsIn(rest); got != tc.recordsAtEnd {
				t.Fatalf("%d records at the end, want %d", got, tc.recordsAtEnd)
			}
			got := deliver(t, p.Server, append(pending, rest...))
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatal("the peer read other bytes than were written")
			}
			if held := engine.HeldBufferBytes(p.Client); held != 0 {
				t.Fatalf("the client holds %d bytes after the end", held)
			}
		})
	}
}

// deliver feeds wire to e and returns all the cleartext it yields.
func deliver(t *testing.T, e *engine.Engine, wire []byte) []byte {
	t.Helper()
	var got []byte
	buf := make([]byte, 4096)
	for {
		n, err := e.Encrypted().Write(wire)
		wire = wire[n:]
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			t.Fatal(err)
		}
		for {
			k, _ := e.Cleartext().Read(buf)
			if k == 0 {
				break
			}
			got = append(got, buf[:k]...)
		}
		if len(wire) == 0 {
			return got
		}
	}
}
