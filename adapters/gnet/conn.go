// Package gnettls runs securepair engines inside gnet's event loops: one
// engine per connection, driven from gnet's OnOpen, OnTraffic and OnClose
// callbacks, with no goroutine per connection and no blocking call inside a
// callback. The user sees cleartext through a Handler.
package gnettls

import (
	"errors"
	"net"
	"sync"

	"github.com/panjf2000/gnet/v2"

	"github.com/securepair/securepair/engine"
)

// Handler receives what happens on secure connections. Its methods run on
// the connection's event loop: they must not block.
type Handler interface {
	// OnSecure is called once the handshake completes.
	OnSecure(c *Conn)
	// OnData receives decrypted bytes, valid only during the call.
	OnData(c *Conn, data []byte)
	// OnClose is called once when the connection ends: err is nil after
	// the peer's close_notify or our own Close, else why it ended.
	OnClose(c *Conn, err error)
}

// Conn is one secure connection on an event loop. Its methods may be
// called only from Handler callbacks (on the connection's loop).
type Conn struct {
	gc        gnet.Conn
	e         *engine.Engine
	srv       *Server
	ctx       any
	plaintext bool  // before StartTLS (Options.StartPlaintext)
	closing   bool  // Close was called: end once close_notify is out
	ended     bool  // OnClose was delivered
	err       error // why the connection failed, for OnClose
}

// Write encrypts p and queues it on the connection; the records go to gnet
// together when the callback returns (or sooner, when the engine's queue
// fills). It never blocks: what the socket does not take waits in gnet's
// outbound buffer, and while that holds more than Options.MaxOutbound the
// connection stops reading.
func (c *Conn) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := c.e.Cleartext().Write(p[written:])
		written += n
		if errors.Is(err, engine.ErrWouldBlock) {
			c.flush() // the engine's queue is full; otherwise the callback's end flushes
		} else if err != nil {
			return written, err
		}
	}
	return written, nil
}

// Close sends close_notify; the connection ends once it is out.
func (c *Conn) Close() error {
	c.closing = true
	err := c.e.Close()
	c.flush()
	return err
}

// ConnectionState reports the negotiated parameters.
func (c *Conn) ConnectionState() engine.ConnectionState { return c.e.ConnectionState() }

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.gc.RemoteAddr() }

// Context returns what SetContext stored.
func (c *Conn) Context() any { return c.ctx }

// SetContext stores a value of the user's with the connection.
func (c *Conn) SetContext(v any) { c.ctx = v }

// flush hands everything the engine wants sent to gnet, which writes what
// the socket takes now and buffers the rest.
func (c *Conn) flush() {
	if c.e.Wants()&engine.HasCiphertext != 0 {
		if _, err := c.e.Encrypted().WriteTo(c.gc); err != nil && c.err == nil {
			c.err = err
		}
	}
}

// onTraffic feeds what gnet read into the engine, as far as back-pressure
// allows, and delivers what comes out.
func (c *Conn) onTraffic() gnet.Action {
	if c.plaintext {
		if !c.onPlaintext(c.srv.h.(PlaintextHandler)) {
			return c.checkInbound()
		}
	}
	for c.gc.InboundBuffered() > 0 && c.e.Wants()&engine.WantsInput != 0 {
		if c.gc.OutboundBuffered() > c.srv.opts.maxOutbound() {
			c.srv.pause(c) // resumed by the ticker once the peer reads
			break
		}
		in, _ := c.gc.Peek(-1)
		n, err := c.e.Encrypted().Write(in)
		_, _ = c.gc.Discard(n)
		c.deliver()
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			break // the engine failed: deliver saw it, end below
		}
		if n == 0 {
			break
		}
	}
	if act := c.checkInbound(); act != gnet.None {
		return act
	}
	return c.next()
}

// checkInbound closes a connection whose unprocessed input is over
// MaxInbound.
func (c *Conn) checkInbound() gnet.Action {
	if c.gc.InboundBuffered() > c.srv.opts.maxInbound() {
		c.err = errInboundLimit
		return gnet.Close
	}
	return gnet.None
}

var errInboundLimit = errors.New("gnettls: the peer sent more than MaxInbound bytes the connection could not take")

// deliver runs the engine's events and cleartext to the Handler and sends
// what the engine produced.
func (c *Conn) deliver() {
	for {
		ev, ok := c.e.NextEvent()
		if !ok {
			break
		}
		switch ev.Kind {
		case engine.EventHandshakeDone:
			c.srv.h.OnSecure(c)
		case engine.EventPeerClosed:
			c.closing = true
			_ = c.e.Close() // answer close_notify with ours
		}
	}
	if c.e.Wants()&engine.HasCleartext != 0 {
		buf := scratch.Get().(*[]byte) // shared: an idle connection holds none
		defer scratch.Put(buf)
		for c.e.Wants()&engine.HasCleartext != 0 {
			n, err := c.e.Cleartext().Read(*buf)
			if n > 0 {
				c.srv.h.OnData(c, (*buf)[:n])
			}
			if err != nil {
				break
			}
		}
	}
	c.flush()
}

// scratch holds the buffers cleartext is read into, one record's worth.
var scratch = sync.Pool{New: func() any {
	b := make([]byte, 16<<10)
	return &b
}}

// next tells gnet whether the connection goes on: it ends when the engine
// is finished or Close was called, once the last bytes are handed to gnet
// (which sends its buffer before closing).
func (c *Conn) next() gnet.Action {
	w := c.e.Wants()
	if w&engine.Finished != 0 || (c.closing && w&engine.HasCiphertext == 0) {
		return gnet.Close
	}
	return gnet.None
}

// end delivers OnClose once.
func (c *Conn) end(gnetErr error) {
	if c.ended {
		return
	}
	c.ended = true
	err := c.e.Err()
	if err == nil && !c.closing {
		err = c.err
		if err == nil {
			err = gnetErr
		}
		if err == nil {
			err = errPeerGone
		}
	}
	c.srv.h.OnClose(c, err)
}

var errPeerGone = errors.New("gnettls: the peer closed the connection without close_notify")
