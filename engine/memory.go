package engine

import "github.com/securepair/securepair/record"

// HeldBufferBytes reports the capacity of the I/O buffers the engine holds
// right now: zero when idle, since buffers go back to a shared pool once
// drained. It is for tests and for monitoring per-connection memory.
func HeldBufferBytes(e *Engine) int {
	return e.in.Capacity() + cap(e.out) + cap(e.early) + cap(e.hsBuf) + e.early0.HeldBytes()
}

// BorrowBuffer lends an empty buffer from the pool the engines share, for
// adapters moving ciphertext; give it back with ReturnBuffer once drained,
// so idle connections hold none.
func BorrowBuffer() []byte { return record.GetBuffer() }

// ReturnBuffer gives back a buffer from BorrowBuffer.
func ReturnBuffer(b []byte) { record.PutBuffer(b) }
