package securepairtest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/securepair/securepair/engine"
)

// handshaken is a ConnPair after its handshake.
func handshaken(t *testing.T, seed uint64) *ConnPair {
	t.Helper()
	p := NewConnPair(t, seed)
	errc := make(chan error, 1)
	go func() { errc <- p.Server.Handshake(context.Background()) }()
	if err := p.Client.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return p
}

// Each fault on what the client sends after the handshake gives the server
// the documented outcome when it reads the client's 1 KiB message (a
// single record: header at the stream offset where it starts).
func TestEachFaultsError(t *testing.T) {
	msg := bytes.Repeat([]byte("m"), 1024)
	tests := []struct {
		name   string
		faults func(start int64) []Fault // start: where the record begins
		check  func(t *testing.T, got []byte, err error)
	}{
		{"split into 1-byte writes: the message arrives intact", func(int64) []Fault { return []Fault{{Kind: Split, N: 1}} },
			func(t *testing.T, got []byte, err error) {
				if err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("got %d bytes, %v", len(got), err)
				}
			}},
		{"delay beyond the deadline: os.ErrDeadlineExceeded", func(int64) []Fault { return []Fault{{Kind: Delay, D: 300 * time.Millisecond}} },
			wantErr(os.ErrDeadlineExceeded)},
		{"stall: os.ErrDeadlineExceeded", func(s int64) []Fault { return []Fault{{Kind: Stall, At: s + 100}} },
			wantErr(os.ErrDeadlineExceeded)},
		{"truncate between records: engine.ErrTruncated", func(s int64) []Fault { return []Fault{{Kind: Truncate, At: s}} },
			wantErr(engine.ErrTruncated)},
		{"drop inside a record: io.ErrUnexpectedEOF", func(s int64) []Fault { return []Fault{{Kind: Drop, At: s + 100}} },
			wantErr(io.ErrUnexpectedEOF)},
		{"flip a bit: bad_record_mac (RFC 8446 section 5.2)", func(s int64) []Fault { return []Fault{{Kind: Flip, At: s + 100, Bit: 3}} },
			wantAlert(engine.AlertBadRecordMAC)},
		{"inject a record of an unknown type: unexpected_message (RFC 8446 section 5)", func(s int64) []Fault {
			return []Fault{{Kind: Inject, At: s, Data: []byte{0x63, 0x03, 0x03, 0x00, 0x01, 0x00}}}
		}, wantAlert(engine.AlertUnexpectedMessage)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := handshaken(t, uint64(100+i))
			p.ClientWrites.AddFaults(tt.faults(p.ClientWrites.Written())...)
			go p.Client.Write(msg)
			p.Server.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			got := make([]byte, len(msg))
			n, err := io.ReadFull(p.Server, got)
			tt.check(t, got[:n], err)
		})
	}
}

func wantErr(target error) func(*testing.T, []byte, error) {
	return func(t *testing.T, got []byte, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Fatalf("got %v (after %d bytes), want %v", err, len(got), target)
		}
	}
}

func wantAlert(alert engine.Alert) func(*testing.T, []byte, error) {
	return func(t *testing.T, got []byte, err error) {
		t.Helper()
		var ae *engine.AlertError
		if !errors.As(err, &ae) || ae.Alert != alert || ae.Remote {
			t.Fatalf("got %v (after %d bytes), want the alert %v sent", err, len(got), alert)
		}
	}
}

// Any drawn script on what the client sends: the server gets the message
// intact, or one of the documented errors; never other bytes, never a
// panic.
func TestDrawnFaults(t *testing.T) {
	msg := bytes.Repeat([]byte("d"), 2048)
	seed := uint64(0)
	rapid.Check(t, func(rt *rapid.T) {
		seed++
		p := handshaken(t, seed)
		start := p.ClientWrites.Written()
		faults := DrawFaults(rt, len(msg)+64)
		for i := range faults {
			faults[i].At += start
		}
		p.ClientWrites.AddFaults(faults...)
		go p.Client.Write(msg)
		p.Server.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		got := make([]byte, len(msg))
		n, err := io.ReadFull(p.Server, got)
		var ae *engine.AlertError
		switch {
		case err == nil:
			if !bytes.Equal(got, msg) {
				rt.Fatalf("other bytes delivered under %v", faults)
			}
		case !bytes.Equal(got[:n], msg[:n]):
			rt.Fatalf("other bytes delivered before the error under %v", faults)
		case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, engine.ErrTruncated), errors.As(err, &ae):
		default:
			rt.Fatalf("undocumented error %v under %v", err, faults)
		}
	})
}
