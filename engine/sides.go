package engine

import (
	"io"

	"github.com/securepair/securepair/record"
)

// EncryptedSide is the wire side of a SecurePair: Write what arrived from the
// peer, Read what must be sent to it.
type EncryptedSide Engine

// CleartextSide is the application side of a SecurePair: Write data to
// protect and send, Read data the peer sent.
type CleartextSide Engine

// Encrypted returns the wire side.
func (e *Engine) Encrypted() *EncryptedSide { return (*EncryptedSide)(e) }

// Cleartext returns the application side.
func (e *Engine) Cleartext() *CleartextSide { return (*CleartextSide)(e) }

// Write feeds bytes received from the peer, split anywhere. It takes what
// fits in the engine's bounded buffer and processes whole records; a short
// count comes with ErrWouldBlock (read Cleartext or Encrypted, then retry).
// After a fatal error it returns that error.
func (s *EncryptedSide) Write(p []byte) (int, error) {
	e := (*Engine)(s)
	if e.err != nil {
		return 0, e.err
	}
	if e.peerClosed {
		return len(p), nil // data after close_notify is ignored (RFC 8446 section 6.1)
	}
	n := 0
	for {
		n += e.in.Write(p[n:], len(e.plain) == 0 && !e.inLent)
		e.process()
		if e.err != nil {
			return n, e.err
		}
		if n == len(p) || e.peerClosed {
			return len(p), nil
		}
		if e.in.Buffered() >= record.MaxRecord || len(e.plain) > 0 {
			return n, ErrWouldBlock
		}
	}
}

// Read takes bytes the engine wants sent to the peer. It returns
// ErrWouldBlock when there are none, io.EOF once close_notify has been read
// out, and the fatal error once the alert announcing it has been read out.
func (s *EncryptedSide) Read(p []byte) (int, error) {
	e := (*Engine)(s)
	if e.outPending() > 0 {
		n := copy(p, e.out[e.outOff:])
		e.consumeOut(n)
		return n, nil
	}
	switch {
	case e.err != nil:
		return 0, e.err
	case e.closeSent:
		return 0, io.EOF
	}
	return 0, ErrWouldBlock
}

// WriteTo writes every pending byte straight to w, with no copy through a
// caller's buffer (io.WriterTo, so io.Copy uses it). It returns once nothing
// is pending; on a failed connection it flushes the alert and then returns
// the sticky error.
func (s *EncryptedSide) WriteTo(w io.Writer) (int64, error) {
	e := (*Engine)(s)
	var total int64
	for e.outPending() > 0 {
		n, err := w.Write(s.Peek())
		total += int64(max(n, 0))
		s.Discard(min(max(n, 0), e.outPending()))
		if err != nil {
			return total, err
		}
	}
	return total, e.err
}

// Fill does one Read from r straight into the engine's input buffer (no
// copy through a caller's buffer) and processes what arrived. It returns
// ErrWouldBlock without reading when the buffer is full: drain Cleartext
// first. io.EOF from r is returned as is; call Close to mark the end.
func (s *EncryptedSide) Fill(r io.Reader) (int, error) {
	e := (*Engine)(s)
	if e.err != nil {
		return 0, e.err
	}
	room := s.Room()
	if len(room) == 0 {
		s.Commit(0)
		return 0, ErrWouldBlock
	}
	n, err := r.Read(room)
	if cerr := s.Commit(max(n, 0)); cerr != nil {
		return n, cerr
	}
	return n, err
}

// Pending returns how many bytes wait to be read from the Encrypted side.
func (s *EncryptedSide) Pending() int { return (*Engine)(s).outPending() }

// Close tells the engine that the peer's byte stream ended. It returns nil
// when the peer's close_notify came before; without one the connection fails
// with ErrTruncated, which Close returns (and which also matches
// io.ErrUnexpectedEOF when the stream ended inside a record), and a
// connection that had failed already returns its sticky error.
func (s *EncryptedSide) Close() error {
	e := (*Engine)(s)
	e.process()
	if e.err == nil && !e.peerClosed {
		e.err = ErrTruncated
		if e.in.Buffered() > 0 {
			e.err = errTruncatedInRecord
		}
		e.emit(Event{Kind: EventAlert, Err: e.err})
	}
	return e.err
}

// Write queues application data. Before the handshake completes it is held
// (up to 64 KiB) and sent once keys are ready; after, it is protected at
// once, as far as the output buffer allows. A short count comes with
// ErrWouldBlock: read the Encrypted side, then retry.
func (s *CleartextSide) Write(p []byte) (int, error) {
	e := (*Engine)(s)
	switch {
	case e.err != nil:
		return 0, e.err
	case e.closeSent:
		return 0, ErrClosed
	case e.traffic == nil && !e.halfRTTReady():
		n := min(len(p), maxEarlyCleartext-len(e.early))
		e.early = append(e.early, p[:n]...)
		if n < len(p) {
			return n, ErrWouldBlock
		}
		return n, nil
	case e.corked:
		return e.writeCorked(p)
	}
	return e.sealApplicationData(p)
}

// Read returns decrypted application data. It returns ErrWouldBlock when none
// is buffered, io.EOF after the peer's close_notify, and the sticky error
// after a failure (data decrypted before the failure is delivered first).
func (s *CleartextSide) Read(p []byte) (int, error) {
	e := (*Engine)(s)
	if len(e.plain) == 0 {
		e.process()
	}
	if len(e.plain) > 0 {
		n := copy(p, e.plain)
		s.Discard(n)
		return n, nil
	}
	switch {
	case e.err != nil:
		return 0, e.err
	case e.peerClosed:
		return 0, io.EOF
	}
	return 0, ErrWouldBlock
}

// Buffered returns how many decrypted bytes wait to be read.
func (s *CleartextSide) Buffered() int { return len((*Engine)(s).plain) }

// Close sends close_notify, as Engine.Close.
func (s *CleartextSide) Close() error { return (*Engine)(s).Close() }

// SecurePair is the engine seen as Node's SecurePair: an encrypted stream
// towards the peer and a cleartext stream towards the application.
type SecurePair struct {
	Encrypted io.ReadWriter
	Cleartext io.ReadWriter
}

// SecurePair returns both sides of the engine.
func (e *Engine) SecurePair() SecurePair {
	return SecurePair{Encrypted: e.Encrypted(), Cleartext: e.Cleartext()}
}
