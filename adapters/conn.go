// Package adapters gives the blocking Go shapes over the sans-IO engine: a
// net.Conn (Conn), Node-style Client/Server/Dial/Listen, STARTTLS upgrades
// and a channel-driven loop.
package adapters

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"time"

	"github.com/securepair/securepair/engine"
)

// Conn is a TLS connection over a net.Conn, driven by an Engine. One Read and
// one Write may run at the same time, as with crypto/tls.
type Conn struct {
	nc net.Conn

	mu sync.Mutex // guards e
	e  *engine.Engine

	handshakeMu sync.Mutex // one handshake driver at a time
	readMu      sync.Mutex // one Read at a time; owns the network read side
	writeMu     sync.Mutex // one writer to nc at a time, so records keep their order

	inBuf   []byte // network bytes read, not yet taken by the engine (readMu)
	outBuf  []byte // ciphertext taken from the engine, being written (writeMu)
	readErr error  // the network read error that ended input (readMu)
}

// NewConn wraps nc with an engine made by the caller (engine.NewClient or
// engine.NewServer). The handshake runs on the first Read, Write or Handshake.
func NewConn(nc net.Conn, e *engine.Engine) *Conn {
	return &Conn{nc: nc, e: e}
}

// Client returns the client side of TLS over nc (Node's tls.connect on an
// existing socket).
func Client(nc net.Conn, cfg *engine.Config) (*Conn, error) {
	e, err := engine.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return NewConn(nc, e), nil
}

// Server returns the server side of TLS over nc.
func Server(nc net.Conn, cfg *engine.Config) (*Conn, error) {
	e, err := engine.NewServer(cfg)
	if err != nil {
		return nil, err
	}
	return NewConn(nc, e), nil
}

// flush writes everything the engine has for the peer. Taking the bytes and
// writing them happen under writeMu, so concurrent flushes cannot reorder
// records.
func (c *Conn) flush() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.flushLocked()
}

func (c *Conn) flushLocked() error {
	for {
		c.mu.Lock()
		c.outBuf = c.outBuf[:0]
		for {
			if c.outBuf == nil {
				c.outBuf = make([]byte, 0, 32<<10)
			}
			n, _ := c.e.Encrypted().Read(c.outBuf[len(c.outBuf):cap(c.outBuf)])
			if n == 0 {
				break
			}
			c.outBuf = c.outBuf[:len(c.outBuf)+n]
			if len(c.outBuf) == cap(c.outBuf) {
				break
			}
		}
		c.mu.Unlock()
		if len(c.outBuf) == 0 {
			return nil
		}
		if _, err := c.nc.Write(c.outBuf); err != nil {
			return err
		}
	}
}

// fill reads once from the network and feeds the engine. Bytes the engine
// cannot take yet stay in inBuf for the next call.
func (c *Conn) fill() error {
	if c.readErr != nil {
		return c.readErr
	}
	if len(c.inBuf) == 0 {
		if cap(c.inBuf) == 0 {
			c.inBuf = make([]byte, 0, 32<<10)
		}
		n, err := c.nc.Read(c.inBuf[:cap(c.inBuf)])
		c.inBuf = c.inBuf[:n]
		if n == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				c.mu.Lock()
				c.e.Encrypted().Close()
				err = c.e.Err()
				c.mu.Unlock()
				if err == nil {
					err = io.EOF // close_notify came first: a clean end
				}
				c.readErr = err
			}
			return err
		}
	}
	c.mu.Lock()
	k, err := c.e.Encrypted().Write(c.inBuf)
	c.mu.Unlock()
	c.inBuf = append(c.inBuf[:0], c.inBuf[k:]...)
	if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
		c.flush() // the alert
		return err
	}
	return c.flush()
}

// Handshake runs the handshake if it has not run yet. ctx bounds it: on
// cancellation the network read is interrupted through a deadline.
func (c *Conn) Handshake(ctx context.Context) error {
	c.handshakeMu.Lock()
	defer c.handshakeMu.Unlock()
	if c.HandshakeComplete() {
		return nil
	}
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() { c.nc.SetReadDeadline(time.Unix(1, 0)) })
		defer func() {
			if !stop() {
				c.nc.SetReadDeadline(time.Time{})
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
		pending := c.e.Encrypted().Pending()
		c.mu.Unlock()
		if pending > 0 {
			if ferr := c.flush(); ferr != nil && n == 0 {
				return 0, ferr
			}
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
	defer c.writeMu.Unlock()
	done := 0
	for done < len(p) {
		c.mu.Lock()
		n, err := c.e.Cleartext().Write(p[done:])
		c.mu.Unlock()
		done += n
		if ferr := c.flushLocked(); ferr != nil {
			return done, ferr
		}
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			return done, err
		}
	}
	return done, nil
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
	if cw, ok := c.nc.(interface{ CloseWrite() error }); ok {
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
		c.nc.SetWriteDeadline(time.Now().Add(time.Second)) // never hang on a peer that stopped reading
		c.flush()
	}
	return c.nc.Close()
}

// ConnectionState returns what the handshake negotiated.
func (c *Conn) ConnectionState() engine.ConnectionState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.e.ConnectionState()
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

func (c *Conn) LocalAddr() net.Addr                { return c.nc.LocalAddr() }
func (c *Conn) RemoteAddr() net.Addr               { return c.nc.RemoteAddr() }
func (c *Conn) SetDeadline(t time.Time) error      { return c.nc.SetDeadline(t) }
func (c *Conn) SetReadDeadline(t time.Time) error  { return c.nc.SetReadDeadline(t) }
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

var _ net.Conn = (*Conn)(nil)
