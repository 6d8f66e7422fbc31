package enginetest

import (
	"errors"
	"io"
	"net"

	"github.com/securepair/securepair/engine"
)

// Conn drives an engine over a net.Conn from the calling goroutine only: a
// minimal blocking loop for tests against other TLS stacks. (The adapters
// package has the full, concurrent net.Conn.)
type Conn struct {
	E   *engine.Engine
	Net net.Conn
}

// NewConn wraps e over nc.
func NewConn(e *engine.Engine, nc net.Conn) *Conn {
	return &Conn{E: e, Net: nc}
}

// flush writes everything the engine wants sent.
func (c *Conn) flush() error {
	_, err := c.E.Encrypted().WriteTo(c.Net)
	return err
}

// fill reads once from the network straight into the engine.
func (c *Conn) fill() error {
	_, err := c.E.Encrypted().Fill(c.Net)
	switch {
	case errors.Is(err, io.EOF):
		c.E.Encrypted().Close()
		return c.E.Err()
	case errors.Is(err, engine.ErrWouldBlock):
		return errors.New("enginetest: engine input full; read cleartext first")
	case err != nil:
		c.flush() // send the alert, if any
	}
	return err
}

// Handshake runs the handshake to completion.
func (c *Conn) Handshake() error {
	for !c.E.HandshakeComplete() {
		if err := c.flush(); err != nil {
			return err
		}
		if c.E.HandshakeComplete() {
			break
		}
		if err := c.fill(); err != nil {
			return err
		}
	}
	return c.flush()
}

// Write sends all of p.
func (c *Conn) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := c.E.Cleartext().Write(p[done:])
		done += n
		if ferr := c.flush(); ferr != nil {
			return done, ferr
		}
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			return done, err
		}
	}
	return done, nil
}

// Read reads decrypted data, blocking on the network when none is buffered.
func (c *Conn) Read(p []byte) (int, error) {
	for {
		n, err := c.E.Cleartext().Read(p)
		if n > 0 || (err != nil && !errors.Is(err, engine.ErrWouldBlock)) {
			c.flush()
			return n, err
		}
		if err := c.flush(); err != nil {
			return 0, err
		}
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
}

// Close sends close_notify and closes the network connection.
func (c *Conn) Close() error {
	c.E.Close()
	c.flush()
	return c.Net.Close()
}
