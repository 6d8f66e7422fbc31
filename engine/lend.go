package engine

import "github.com/securepair/securepair/record"

// The copy-free path for bulk data: instead of copying ciphertext through
// the caller's buffers (Encrypted().Read/Write), the engine lends its own
// buffers. The caller reads from the network straight into the input buffer
// (Room, Commit), where records are opened in place; takes the plaintext
// where it was decrypted (Cleartext().Peek, Discard); and writes to the
// network straight from the output buffer, where Cleartext().Write sealed
// the records (Encrypted().Peek, Discard). A 16 KiB record is then touched
// only by the socket and the AEAD.
//
// Other calls may come between lending and giving back (an adapter reads
// the network on one goroutine while another writes): a lent buffer is
// neither moved nor returned to the pool until it is given back.

// Room lends the free space at the end of the input buffer, for reading
// ciphertext from the peer straight into it; Commit says how much was read.
// It borrows a buffer when the engine holds none, so call it only once bytes
// are ready (see transport.LazyReader), and Commit(0) to give it back when
// none came. It is empty when the buffer is full or the connection has
// failed: read or Discard the Cleartext side first.
func (s *EncryptedSide) Room() []byte {
	e := (*Engine)(s)
	if e.err != nil {
		return nil
	}
	moveAllowed := len(e.plain) == 0 && !e.inLent
	e.inLent = true
	room := e.in.Space(moveAllowed) // after close_notify, Commit drops what is read
	e.roomLen = len(room)
	return room
}

// Commit ends a Room loan: n bytes were read into it. The engine processes
// the records now whole and gives the buffer back to the pool when nothing
// is left in it. It returns the sticky error once the connection failed.
// Committing more than Room lent is the caller's bug, and panics.
func (s *EncryptedSide) Commit(n int) error {
	e := (*Engine)(s)
	if n < 0 || n > 0 && (!e.inLent || n > e.roomLen) {
		panic("engine: Commit of more bytes than Room lent")
	}
	if !e.inLent {
		return e.err
	}
	e.inLent = false
	if e.err == nil && !e.peerClosed {
		e.in.Commit(n)
	}
	e.process() // it gives the buffer back when nothing is left in it
	return e.err
}

// releaseInput gives the input buffer back when nothing in it is needed any
// more: all of it was processed and the plaintext read, or nothing more will
// be read at all.
func (e *Engine) releaseInput() {
	if e.inLent || len(e.plain) > 0 {
		return
	}
	if e.err != nil || e.peerClosed {
		e.in.Reset()
		return
	}
	e.in.Release()
}

// Peek returns the ciphertext waiting to be sent, in the engine's output
// buffer, for writing to the network straight from there; Discard says how
// much was sent. The slice stays valid until that Discard, whatever is
// written meanwhile.
func (s *EncryptedSide) Peek() []byte {
	e := (*Engine)(s)
	if e.outPending() == 0 {
		return nil
	}
	e.outLent = true
	return e.out[e.outOff:]
}

// Discard marks the first n bytes of the last Peek as sent. The output
// buffer goes back to the pool once everything was sent. Discarding more
// than is pending is the caller's bug, and panics.
func (s *EncryptedSide) Discard(n int) {
	e := (*Engine)(s)
	e.outLent = false
	e.consumeOut(n)
}

// consumeOut drops n sent bytes and returns the output buffer once empty;
// input paused on a full output queue resumes.
func (e *Engine) consumeOut(n int) {
	if n < 0 || n > e.outPending() {
		panic("engine: more ciphertext sent than was pending")
	}
	e.outOff += n
	if e.outOff == len(e.out) && !e.outLent {
		record.PutBuffer(e.out)
		e.out, e.outOff = nil, 0
		e.process()
	}
}

// Peek returns the decrypted application data waiting to be read, where it
// was decrypted: no copy. The slice stays valid until Discard or Read.
func (s *CleartextSide) Peek() []byte {
	e := (*Engine)(s)
	if len(e.plain) == 0 {
		e.process()
	}
	return e.plain
}

// Discard marks the first n bytes of Peek's data as read; more than Peek
// returned panics.
func (s *CleartextSide) Discard(n int) {
	e := (*Engine)(s)
	if n < 0 || n > len(e.plain) {
		panic("engine: more cleartext discarded than was buffered")
	}
	e.plain = e.plain[n:]
	if len(e.plain) == 0 {
		e.plain = nil
		e.process() // the next records, or the buffer back to the pool
	}
}
