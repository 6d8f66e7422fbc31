package transport

import (
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Transport moves ciphertext: Read returns what the peer sent (io.EOF when
// its stream ended), Write sends to the peer, Close releases both ways. A
// net.Conn is a Transport as it is.
type Transport interface {
	io.Reader
	io.Writer
	io.Closer
}

// Deadliner is implemented by transports whose blocking calls can time out
// (a net.Conn, Pipe). Adapters use it for deadlines and cancellation.
type Deadliner interface {
	SetDeadline(t time.Time) error
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
}

// FromReadWriter makes a Transport of any io.ReadWriter (a serial port, a
// subprocess's pipes, a bufio pair). Close calls the underlying Close when
// there is one.
func FromReadWriter(rw io.ReadWriter) Transport {
	if t, ok := rw.(Transport); ok {
		return t
	}
	return readWriter{rw}
}

type readWriter struct{ io.ReadWriter }

func (r readWriter) Close() error {
	if c, ok := r.ReadWriter.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// ErrClosed is returned by a Channels transport after Close.
var ErrClosed = errors.New("transport: closed")

// Channels is a Transport over Go channels of []byte: each Write sends one
// copy of its bytes on out, Read takes from in (a slice may be read in
// several calls). A closed in channel reads as io.EOF; Close closes out, so
// the peer reads io.EOF, and ends blocked calls.
type Channels struct {
	in      <-chan []byte
	out     chan<- []byte
	pending []byte

	mu        sync.Mutex // guards closing out against a send on it
	done      chan struct{}
	closeOnce sync.Once
}

// NewChannels makes a Channels transport.
func NewChannels(in <-chan []byte, out chan<- []byte) *Channels {
	return &Channels{in: in, out: out, done: make(chan struct{})}
}

// ChannelPair returns two Channels transports wired to each other.
func ChannelPair() (*Channels, *Channels) {
	ab, ba := make(chan []byte, 16), make(chan []byte, 16)
	return NewChannels(ba, ab), NewChannels(ab, ba)
}

// Read takes bytes from the in channel.
func (c *Channels) Read(p []byte) (int, error) {
	if len(c.pending) == 0 {
		select {
		case b, ok := <-c.in:
			if !ok {
				return 0, io.EOF
			}
			c.pending = b
		case <-c.done:
			return 0, ErrClosed
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

// Write sends a copy of p on the out channel.
func (c *Channels) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b := append([]byte(nil), p...)
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		return 0, ErrClosed
	default:
	}
	select {
	case c.out <- b:
		return len(p), nil
	case <-c.done:
		return 0, ErrClosed
	}
}

// Close ends the transport: out is closed and blocked calls return.
func (c *Channels) Close() error {
	c.closeOnce.Do(func() {
		close(c.done) // first, so a Write blocked on a full out gives up the lock
		c.mu.Lock()
		close(c.out)
		c.mu.Unlock()
	})
	return nil
}

// Compile-time checks.
var (
	_ Transport = net.Conn(nil)
	_ Transport = (*Channels)(nil)
	_ Transport = (*PipeConn)(nil)
	_ Deadliner = (*PipeConn)(nil)
)
