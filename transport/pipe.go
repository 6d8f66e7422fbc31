// Package transport moves ciphertext between an engine and the world.
package transport

import (
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Pipe returns two connected in-memory net.Conns. Unlike net.Pipe, writes
// never wait for the reader: each direction buffers without bound, so two
// peers may both write large amounts before reading (as tests and benchmarks
// over a real socket buffer do). Deadlines and CloseWrite are supported.
func Pipe() (*PipeConn, *PipeConn) {
	ab, ba := newPipeBuffer(), newPipeBuffer()
	return &PipeConn{r: ba, w: ab, local: pipeAddr("pipe-a")}, &PipeConn{r: ab, w: ba, local: pipeAddr("pipe-b")}
}

type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }

// pipeBuffer is one direction of a Pipe.
type pipeBuffer struct {
	mu       sync.Mutex
	cond     *sync.Cond
	data     []byte // buffered bytes are data[off:]
	off      int
	closed   bool // writer closed: reads drain then get io.EOF
	broken   bool // reader closed: writes fail
	deadline time.Time
	timer    *time.Timer
}

func newPipeBuffer() *pipeBuffer {
	b := &pipeBuffer{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// ErrPipeClosed is returned by operations on a closed PipeConn.
var ErrPipeClosed = errors.New("transport: pipe closed")

func (b *pipeBuffer) read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.waitLocked(); err != nil {
		return 0, err
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	if b.off == len(b.data) {
		putPipeStorage(b.data) // an idle pipe holds no storage
		b.data, b.off = nil, 0
	}
	return n, nil
}

// pipeStorageSize is the capacity of the storage pipes borrow while bytes
// are in flight: a pipe drained gives it back, so idle pipes hold none and
// busy ones allocate none in steady state.
const pipeStorageSize = 64 << 10

var pipeStorage = sync.Pool{New: func() any { return new([pipeStorageSize]byte) }}

func getPipeStorage() []byte { return pipeStorage.Get().(*[pipeStorageSize]byte)[:0] }

// putPipeStorage keeps storage of the pooled size; storage that grew past it
// is left to the collector.
func putPipeStorage(b []byte) {
	if cap(b) == pipeStorageSize {
		pipeStorage.Put((*[pipeStorageSize]byte)(b[:pipeStorageSize]))
	}
}

// waitReadable blocks until bytes are buffered, or returns why none will be.
func (b *pipeBuffer) waitReadable() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.waitLocked()
}

func (b *pipeBuffer) waitLocked() error {
	for len(b.data) == b.off {
		switch {
		case b.broken:
			return ErrPipeClosed
		case b.closed:
			return io.EOF
		case !b.deadline.IsZero() && !time.Now().Before(b.deadline):
			return os.ErrDeadlineExceeded
		}
		b.cond.Wait()
	}
	return nil
}

func (b *pipeBuffer) write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.broken {
		return 0, ErrPipeClosed
	}
	if b.off > 0 && cap(b.data)-len(b.data) < len(p) {
		k := copy(b.data, b.data[b.off:])
		b.data, b.off = b.data[:k], 0
	}
	if b.data == nil {
		b.data = getPipeStorage()
	}
	b.data = append(b.data, p...)
	b.cond.Broadcast()
	return len(p), nil
}

func (b *pipeBuffer) setDeadline(t time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deadline = t
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	if !t.IsZero() {
		b.timer = time.AfterFunc(time.Until(t), func() {
			b.mu.Lock()
			b.cond.Broadcast()
			b.mu.Unlock()
		})
	}
	b.cond.Broadcast()
}

func (b *pipeBuffer) closeWriter() {
	b.mu.Lock()
	b.closed = true
	b.cond.Broadcast()
	b.mu.Unlock()
}

func (b *pipeBuffer) closeReader() {
	b.mu.Lock()
	b.broken = true
	putPipeStorage(b.data)
	b.data, b.off = nil, 0
	if b.timer != nil {
		b.timer.Stop()
	}
	b.cond.Broadcast()
	b.mu.Unlock()
}

// PipeConn is one end of a Pipe.
type PipeConn struct {
	r, w  *pipeBuffer
	local pipeAddr
}

// Read reads what the other end wrote; it blocks until there is some, the
// other end closes (io.EOF) or the read deadline passes.
func (c *PipeConn) Read(p []byte) (int, error) { return c.r.read(p) }

// Write queues p for the other end; it never blocks.
func (c *PipeConn) Write(p []byte) (int, error) { return c.w.write(p) }

// Close closes both directions of this end.
func (c *PipeConn) Close() error {
	c.w.closeWriter()
	c.r.closeReader()
	return nil
}

// CloseWrite ends this end's outgoing stream: the peer reads io.EOF.
func (c *PipeConn) CloseWrite() error {
	c.w.closeWriter()
	return nil
}

// LocalAddr names this end.
func (c *PipeConn) LocalAddr() net.Addr { return c.local }

// RemoteAddr names the other end.
func (c *PipeConn) RemoteAddr() net.Addr { return c.local + "-peer" }

// SetDeadline sets the read deadline; writes never block, so they need none.
func (c *PipeConn) SetDeadline(t time.Time) error { c.r.setDeadline(t); return nil }

// SetReadDeadline sets the read deadline.
func (c *PipeConn) SetReadDeadline(t time.Time) error { c.r.setDeadline(t); return nil }

// SetWriteDeadline does nothing: writes never block.
func (c *PipeConn) SetWriteDeadline(time.Time) error { return nil }
