package transport

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// Pipe: writes never wait for the reader, bytes arrive in order whatever the
// split, CloseWrite gives the peer io.EOF after the data, Close breaks both
// ways, and a read deadline ends a blocked read.
func TestPipe(t *testing.T) {
	a, b := Pipe()
	big := bytes.Repeat([]byte("x"), 1<<20)
	if n, err := a.Write(big); n != len(big) || err != nil { // no reader yet: must not block
		t.Fatalf("write %d: %v", n, err)
	}
	a.Write([]byte("tail"))
	a.CloseWrite()
	got, err := io.ReadAll(b)
	if err != nil || !bytes.Equal(got, append(big, "tail"...)) {
		t.Fatalf("read %d bytes: %v", len(got), err)
	}
	if _, err := a.Write([]byte("more")); !errors.Is(err, ErrPipeClosed) {
		t.Fatalf("write after CloseWrite: %v", err)
	}

	a.SetDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := a.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v", err)
	}
	a.SetDeadline(time.Time{})
	b.Write([]byte("after"))
	buf := make([]byte, 8)
	if n, err := a.Read(buf); err != nil || string(buf[:n]) != "after" {
		t.Fatalf("read after clearing the deadline: %q %v", buf[:n], err)
	}
	a.Close()
	if _, err := b.Write([]byte("to a closed end")); !errors.Is(err, ErrPipeClosed) {
		t.Fatalf("write to a closed end: %v", err)
	}
	if _, err := a.Read(buf); !errors.Is(err, ErrPipeClosed) {
		t.Fatalf("read on a closed end: %v", err)
	}
	if a.LocalAddr().String() != "pipe-a" || a.RemoteAddr().Network() != "pipe" || a.SetWriteDeadline(time.Now()) != nil {
		t.Fatal("addresses or write deadline")
	}
}

// Channels: each Write sends one copy, a message may be read in pieces, a
// closed in channel reads as io.EOF, and Close ends the peer's stream and
// blocked calls on this end.
func TestChannels(t *testing.T) {
	a, b := ChannelPair()
	msg := []byte("hello")
	a.Write(msg)
	msg[0] = 'j' // the transport keeps its own copy
	buf := make([]byte, 3)
	n, _ := b.Read(buf)
	m, _ := b.Read(buf[n:])
	if string(buf[:n+m]) != "hel" {
		t.Fatalf("read %q", buf[:n+m])
	}
	rest := make([]byte, 8)
	if n, _ := b.Read(rest); string(rest[:n]) != "lo" {
		t.Fatalf("rest %q", rest[:n])
	}
	if n, err := a.Write(nil); n != 0 || err != nil {
		t.Fatal("empty write")
	}
	a.Close()
	if _, err := b.Read(rest); err != io.EOF {
		t.Fatalf("peer after Close: %v", err)
	}
	if _, err := a.Write(msg); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}
	if _, err := a.Read(rest); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after Close: %v", err)
	}
	if a.Close() != nil {
		t.Fatal("second Close")
	}
}

// A Write blocked on a full channel returns ErrClosed when the transport closes.
func TestChannelsCloseUnblocksWrite(t *testing.T) {
	out := make(chan []byte) // unbuffered, never read
	c := NewChannels(make(chan []byte), out)
	done := make(chan error)
	go func() {
		_, err := c.Write([]byte("stuck"))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	c.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("blocked write: %v", err)
	}
}

type rwOnly struct{ bytes.Buffer }

type rwCloser struct {
	rwOnly
	closed bool
}

func (r *rwCloser) Close() error { r.closed = true; return nil }

// FromReadWriter passes reads and writes through; Close reaches the
// underlying Close when there is one.
func TestFromReadWriter(t *testing.T) {
	plain := &rwOnly{}
	tr := FromReadWriter(plain)
	tr.Write([]byte("data"))
	got, _ := io.ReadAll(tr)
	if string(got) != "data" || tr.Close() != nil {
		t.Fatalf("read %q", got)
	}
	closer := &rwCloser{}
	if FromReadWriter(closer).Close(); !closer.closed {
		t.Fatal("Close did not reach the underlying Close")
	}
	a, _ := Pipe()
	if FromReadWriter(a) != Transport(a) {
		t.Fatal("a Transport is wrapped again")
	}
}
