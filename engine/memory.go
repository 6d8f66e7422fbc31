package engine

// HeldBufferBytes reports the capacity of the I/O buffers the engine holds
// right now, lent ones included (Room, Peek): zero when idle, since buffers
// go back to a shared pool once drained. Adapters that read and write
// through the lent buffers (adapters.Conn) hold none of their own, so this
// is all of a connection's I/O buffers. It is for tests and for monitoring
// per-connection memory.
func HeldBufferBytes(e *Engine) int {
	return e.in.Capacity() + cap(e.out) + cap(e.held) + cap(e.early) + cap(e.hsBuf) + e.early0.HeldBytes()
}
