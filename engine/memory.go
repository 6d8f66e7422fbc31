package engine

// HeldBufferBytes reports the capacity of the I/O buffers the engine holds
// right now: zero when idle, since buffers go back to a shared pool once
// drained. It is for tests and for monitoring per-connection memory.
func HeldBufferBytes(e *Engine) int {
	return e.in.Capacity() + cap(e.out) + cap(e.early) + cap(e.hsBuf) + cap(e.earlySent) + cap(e.earlyIn)
}
