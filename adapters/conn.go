// Package adapters gives the blocking Go shapes over the sans-IO engine: a
// net.Conn (Conn), Node-style Client/Server/Dial/Listen, STARTTLS upgrades
// and a channel-driven loop.
package adapters

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/transport"
)

// Conn is a TLS connection over a transport (usually a net.Conn), driven by
// an Engine. It is a net.Conn itself. One Read and one Write may run at the
// same time, as with crypto/tls.
type Conn struct {
	// OnEvent, when set before the connection is used, hears the engine's
	// events (key updates, tickets, alerts), on the goroutine reading.
	OnEvent func(engine.Event)

	tr transport.Transport

	mu sync.Mutex // guards e
	e  *engine.Engine

	handshakeMu sync.Mutex // one handshake driver at a time
	readMu      sync.Mutex // one Read at a time; owns the network read side
	writeMu     sync.Mutex // one writer to nc at a time, so records keep their order

	// The network is read straight into the engine's input buffer and
	// written straight from its output buffer: the Conn holds no buffer of
	// its own. lazy waits for input before the engine lends its buffer, so
	// an idle Conn blocked in Read holds none (nil: the transport cannot).
	lazy    transport.LazyReader
	room    func() []byte // c.lendRoom, bound once so reads allocate nothing
	unused  func()        // c.giveBack, likewise
	readErr error         // the network read error that ended input (readMu)

	// handshook is set once the handshake completed: Read and Write skip
	// the handshake's locks from then on.
	handshook atomic.Bool
	// flushWanted: a reader queued ciphertext while a writer held writeMu.
	flushWanted atomic.Bool
}

// NewConn runs e over tr; e comes from engine.NewClient or engine.NewServer.
// The handshake runs on the first Read, Write or Handshake.
func NewConn(tr transport.Transport, e *engine.Engine) *Conn {
	c := &Conn{tr: tr, e: e, lazy: transport.Lazy(tr)}
	c.room, c.unused = c.lendRoom, c.giveBack
	return c
}

// Client returns the client side of TLS over tr (Node's tls.connect on an
// existing socket).
func Client(tr transport.Transport, cfg *engine.Config) (*Conn, error) {
	e, err := engine.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return NewConn(tr, e), nil
}

// Server returns the server side of TLS over tr.
func Server(tr transport.Transport, cfg *engine.Config) (*Conn, error) {
	e, err := engine.NewServer(cfg)
	if err != nil {
		return nil, err
	}
	return NewConn(tr, e), nil
}

// flush writes everything the engine has for the peer. Taking the bytes and
// writing them happen under writeMu, so concurrent flushes cannot reorder
// records.
func (c *Conn) flush() error {
	c.writeMu.Lock()
	defer c.unlockWrite()
	return c.flushLocked()
}

// flushSoon flushes from the read side without ever waiting for writeMu: a
// writer blocked on a full transport must not stop us reading (both peers
// would wait on each other). If a writer holds the lock, it flushes what we
// queued before letting go (see unlockWrite).
func (c *Conn) flushSoon() {
	c.flushWanted.Store(true) // before TryLock: a holder failing it sees this
	if c.writeMu.TryLock() {
		c.flushLocked()
		c.unlockWrite()
	}
}

// unlockWrite releases writeMu, and takes it back to flush what a reader
// queued while it was held (flushSoon).
func (c *Conn) unlockWrite() {
	for {
		c.writeMu.Unlock()
		if !c.flushWanted.Load() || !c.writeMu.TryLock() {
			return
		}
		c.flushLocked()
	}
}

// flushLocked writes the engine's pending ciphertext.
func (c *Conn) flushLocked() error {
	c.flushWanted.Store(false)
	c.mu.Lock()
	out := c.e.Encrypted().Peek()
	c.mu.Unlock()
	return c.flushFrom(out)
}

// flushFrom writes out, which Peek returned, straight from the engine's
// output buffer, and then what is queued behind it; other goroutines may
// use the engine meanwhile.
func (c *Conn) flushFrom(out []byte) error {
	for len(out) > 0 {
		n, err := c.tr.Write(out)
		if err != nil {
			n = len(out) // what a failed transport did not take is lost to it
		}
		c.mu.Lock()
		c.e.Encrypted().Discard(n)
		out = c.e.Encrypted().Peek()
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// fill reads once from the network straight into the engine's input buffer
// and lets the engine process it.
func (c *Conn) fill() error {
	if c.readErr != nil {
		return c.readErr
	}
	var n int
	var err error
	if c.lazy != nil {
		n, err = c.lazy.ReadLazy(c.room, c.unused)
	} else {
		n, err = c.tr.Read(c.lendRoom()) // the buffer is held while the read waits
	}
	c.mu.Lock()
	cerr := c.e.Encrypted().Commit(max(n, 0))
	if n == 0 && errors.Is(err, io.EOF) {
		c.e.Encrypted().Close()
		if err = c.e.Err(); err == nil {
			err = io.EOF // close_notify came first: a clean end
		}
		c.readErr = err
	}
	c.drainEvents()
	pending := c.e.Encrypted().Pending()
	c.mu.Unlock()
	if pending > 0 {
		c.flushSoon() // answers such as a KeyUpdate, or the alert of a failure
	}
	switch {
	case n == 0 && err != nil:
		return err
	case cerr != nil:
		return cerr
	}
	return nil
}

// lendRoom borrows the engine's input buffer for a network read.
func (c *Conn) lendRoom() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.e.Encrypted().Room()
}

// giveBack returns the input buffer when a read found nothing after all.
func (c *Conn) giveBack() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.e.Encrypted().Commit(0)
}

// drainEvents empties the engine's event queue (with mu held): a full queue
// would pause the engine's input. Events are passed to OnEvent when set; what
// they report is in ConnectionState anyway.
func (c *Conn) drainEvents() {
	for ev, ok := c.e.NextEvent(); ok; ev, ok = c.e.NextEvent() {
		if c.OnEvent != nil {
			c.OnEvent(ev)
		}
	}
}

// Handshake runs the handshake if it has not run yet. ctx bounds it: on
// cancellation the network read is interrupted through a deadline.
func (c *Conn) Handshake(ctx context.Context) error {
	if c.handshook.Load() {
		return nil
	}
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	if c.HandshakeComplete() {
		c.handshook.Store(true)
		return nil
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, c.interrupt)
		defer func() {
			if !stop() {
				c.SetReadDeadline(time.Time{})
			}
		}()
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for {
		if err := c.flush(); err != nil {
			return err
		}
		if c.HandshakeComplete() {
			c.handshook.Store(true)
			return nil
		}
		if err := c.fill(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		c.mu.Lock()
		err := c.e.Err()
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// interrupt ends a blocked network read: through a deadline in the past when
// the transport has deadlines, else by closing it.
func (c *Conn) interrupt() {
	if d, ok := c.tr.(transport.Deadliner); ok {
		d.SetReadDeadline(time.Unix(1, 0))
		return
	}
	c.tr.Close()
}

// HeldBufferBytes reports the I/O buffers the connection holds right now
// (engine.HeldBufferBytes: the Conn reads and writes through the engine's
// buffers and holds none of its own); zero while idle.
func (c *Conn) HeldBufferBytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return engine.HeldBufferBytes(c.e)
}

// HandshakeComplete reports whether the handshake has finished.
func (c *Conn) HandshakeComplete() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.e.HandshakeComplete()
}

// Read reads decrypted data, running the handshake first if needed.
func (c *Conn) Read(p []byte) (int, error) {
	if err := c.Handshake(context.Background()); err != nil {
		return 0, err
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for {
		c.mu.Lock()
		n, err := c.e.Cleartext().Read(p)
		c.drainEvents()
		pending := c.e.Encrypted().Pending()
		c.mu.Unlock()
		if pending > 0 {
			c.flushSoon()
		}
		if n > 0 || len(p) == 0 {
			return n, nil
		}
		if !errors.Is(err, engine.ErrWouldBlock) {
			return 0, err
		}
		if err := c.fill(); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		} else if errors.Is(err, io.EOF) {
			return 0, io.EOF
		}
	}
}

// Write protects and sends all of p, running the handshake first if needed.
func (c *Conn) Write(p []byte) (int, error) {
	if err := c.Handshake(context.Background()); err != nil {
		return 0, err
	}
	c.writeMu.Lock()
	defer c.unlockWrite()
	done := 0
	for done < len(p) {
		c.mu.Lock()
		n, err := c.e.Cleartext().Write(p[done:])
		out := c.e.Encrypted().Peek()
		c.mu.Unlock()
		done += n
		if ferr := c.flushFrom(out); ferr != nil {
			return done, ferr
		}
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			return done, err
		}
	}
	return done, nil
}

// Cork holds writes back so that many small ones go out as few records
// (Node's socket.cork()): a record is sent when 16 KiB are held, and what is
// left at Uncork, Close or KeyUpdate.
func (c *Conn) Cork() {
	c.writeMu.Lock()
	defer c.unlockWrite()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.e.Cleartext().Cork()
}

// Uncork sends what Cork held back, and writes go out at once again.
func (c *Conn) Uncork() error {
	c.writeMu.Lock()
	defer c.unlockWrite()
	c.mu.Lock()
	err := c.e.Cleartext().Uncork()
	c.mu.Unlock()
	if ferr := c.flushLocked(); err == nil {
		err = ferr
	}
	return err
}

// CloseWrite sends close_notify and, when the network connection supports
// it, half-closes it: the peer reads io.EOF, this side can still read.
func (c *Conn) CloseWrite() error {
	c.mu.Lock()
	err := c.e.Close()
	c.mu.Unlock()
	if ferr := c.flush(); err == nil {
		err = ferr
	}
	if cw, ok := c.tr.(interface{ CloseWrite() error }); ok {
		if cerr := cw.CloseWrite(); err == nil {
			err = cerr
		}
	}
	return err
}

// Close sends close_notify (when the connection is healthy) and closes the
// network connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	healthy := c.e.Err() == nil
	if healthy {
		c.e.Close()
	}
	c.mu.Unlock()
	if healthy {
		c.SetWriteDeadline(time.Now().Add(time.Second)) // never hang on a peer that stopped reading
		c.flush()
	}
	return c.tr.Close()
}

// KeyUpdate changes this side's TLS 1.3 traffic key (and asks the peer to
// change its own when requestPeer is set).
func (c *Conn) KeyUpdate(requestPeer bool) error {
	if err := c.Handshake(context.Background()); err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.unlockWrite()
	c.mu.Lock()
	err := c.e.KeyUpdate(requestPeer)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.flushLocked()
}

// EarlyData returns the 0-RTT data the server accepted (see
// engine.ReadEarlyData), once the handshake is done.
func (c *Conn) EarlyData() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, _ := c.e.ReadEarlyData(buf)
		if n == 0 {
			return out
		}
		out = append(out, buf[:n]...)
	}
}

// ConnectionState returns what the handshake negotiated as crypto/tls
// reports it, so that net/http sets Request.TLS and x/net/http2 accepts the
// connection; EngineState has all of it. Call the Conn's
// ExportKeyingMaterial, not the result's (see engine.ConnectionState.CryptoTLS).
func (c *Conn) ConnectionState() tls.ConnectionState {
	return c.EngineState().CryptoTLS()
}

// EngineState returns what the handshake negotiated, with what only the
// engine knows (Node's authorized, the fingerprints, NPN, 0-RTT).
func (c *Conn) EngineState() engine.ConnectionState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.e.ConnectionState()
}

// ExportKeyingMaterial is RFC 5705 / RFC 8446 section 7.5 keying material
// from the connection's secrets.
func (c *Conn) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.e.ExportKeyingMaterial(label, context, length)
}

// Transport returns the transport the connection runs over.
func (c *Conn) Transport() transport.Transport { return c.tr }

// Engine returns the engine, for ConnectionState-like queries; callers must
// not drive it while the Conn is in use.
func (c *Conn) Engine() *engine.Engine { return c.e }

type addrer interface {
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
}

type noAddr struct{}

func (noAddr) Network() string { return "securepair" }
func (noAddr) String() string  { return "securepair-transport" }

// LocalAddr is the transport's local address when it has one.
func (c *Conn) LocalAddr() net.Addr {
	if a, ok := c.tr.(addrer); ok {
		return a.LocalAddr()
	}
	return noAddr{}
}

// RemoteAddr is the transport's remote address when it has one.
func (c *Conn) RemoteAddr() net.Addr {
	if a, ok := c.tr.(addrer); ok {
		return a.RemoteAddr()
	}
	return noAddr{}
}

// ErrNoDeadlines is returned when setting a deadline on a transport that has none.
var ErrNoDeadlines = errors.New("adapters: transport has no deadlines")

// SetDeadline sets read and write deadlines, honoured during the handshake and after.
func (c *Conn) SetDeadline(t time.Time) error {
	if d, ok := c.tr.(transport.Deadliner); ok {
		return d.SetDeadline(t)
	}
	return ErrNoDeadlines
}

// SetReadDeadline sets the read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if d, ok := c.tr.(transport.Deadliner); ok {
		return d.SetReadDeadline(t)
	}
	return ErrNoDeadlines
}

// SetWriteDeadline sets the write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if d, ok := c.tr.(transport.Deadliner); ok {
		return d.SetWriteDeadline(t)
	}
	return ErrNoDeadlines
}

var _ net.Conn = (*Conn)(nil)
