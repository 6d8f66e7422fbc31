package gnettls

import "errors"

// PlaintextHandler is a Handler for connections that begin in plaintext
// and upgrade to TLS (STARTTLS): Options.StartPlaintext makes a Server
// hand it the bytes before the upgrade.
type PlaintextHandler interface {
	Handler
	// OnOpenPlaintext is called when a connection opens, to greet the
	// client with WritePlaintext.
	OnOpenPlaintext(c *Conn)
	// OnPlaintext receives what arrived before the upgrade and returns how
	// much of it it consumed; the rest is offered again with what comes
	// next. After StartTLS, the bytes beyond the consumed ones are TLS.
	OnPlaintext(c *Conn, data []byte) (consumed int)
}

var errNotPlaintext = errors.New("gnettls: the connection is no longer in plaintext")

// WritePlaintext queues p unencrypted, before StartTLS.
func (c *Conn) WritePlaintext(p []byte) error {
	if !c.plaintext {
		return errNotPlaintext
	}
	_, err := c.gc.Write(p)
	return err
}

// StartTLS ends the plaintext phase: what the client sends next (after
// the bytes OnPlaintext consumed) is its TLS handshake.
func (c *Conn) StartTLS() error {
	if !c.plaintext {
		return errNotPlaintext
	}
	c.plaintext = false
	return nil
}

// onPlaintext offers the buffered bytes to the PlaintextHandler, and
// reports whether the connection has upgraded.
func (c *Conn) onPlaintext(h PlaintextHandler) bool {
	for c.plaintext && c.gc.InboundBuffered() > 0 {
		in, _ := c.gc.Peek(-1)
		n := h.OnPlaintext(c, in)
		if n <= 0 {
			break
		}
		_, _ = c.gc.Discard(min(n, len(in)))
	}
	return !c.plaintext
}
