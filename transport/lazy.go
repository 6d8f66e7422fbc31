package transport

import "io"

// LazyReader is a transport that waits for input before asking for the
// buffer to read it into, so that a reader waiting on an idle connection
// holds no buffer (see engine.EncryptedSide.Room).
type LazyReader interface {
	// ReadLazy blocks until input (or an error) is ready and reads it into
	// the buffer room returns. When a read it tried found nothing after all
	// and it must wait, it calls unused first, which gives the buffer back.
	ReadLazy(room func() []byte, unused func()) (int, error)
}

// Lazy returns r as a LazyReader: r itself when it is one (a PipeConn), a
// reader that waits on the socket's readiness when r is a TCP or Unix
// connection, and nil for any other reader.
func Lazy(r io.Reader) LazyReader {
	if l, ok := r.(LazyReader); ok {
		return l
	}
	return socketReader(r)
}

// ReadLazy waits for bytes from the other end, then reads them into room().
func (c *PipeConn) ReadLazy(room func() []byte, _ func()) (int, error) {
	if err := c.r.waitReadable(); err != nil {
		return 0, err
	}
	return c.r.read(room())
}
