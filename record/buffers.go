package record

import "sync"

// Buffer sizes are chosen for the Go allocator's size classes, so no
// capacity is paid for and left unused.
const (
	// BufferSize is the capacity of the buffers the engine borrows for its
	// outgoing ciphertext: 40 KiB, five whole pages, with room for two of
	// the largest records.
	BufferSize = 40 << 10
	// inputBufferSize is the capacity of a Deframer's buffer: the size
	// class just above one largest record (MaxRecord, 18437 bytes).
	inputBufferSize = 19072
)

// The pools lend idle engines' buffers to busy ones, so that an idle engine
// holds no buffer and a busy one allocates none in steady state. They are
// caches only: what they hold never changes any result.
var (
	bufferPool      = sync.Pool{New: func() any { return new([BufferSize]byte) }}
	inputBufferPool = sync.Pool{New: func() any { return new([inputBufferSize]byte) }}
)

// GetBuffer borrows an empty buffer of capacity BufferSize.
func GetBuffer() []byte {
	return bufferPool.Get().(*[BufferSize]byte)[:0]
}

// PutBuffer returns a buffer obtained from GetBuffer; buffers that grew past
// BufferSize are dropped instead, to keep the pool's memory bounded.
func PutBuffer(b []byte) {
	if cap(b) != BufferSize {
		return
	}
	// Pooling the array pointer, not a *[]byte, keeps Put free of allocations.
	bufferPool.Put((*[BufferSize]byte)(b[:BufferSize]))
}

func getInputBuffer() []byte {
	return inputBufferPool.Get().(*[inputBufferSize]byte)[:0]
}

func putInputBuffer(b []byte) {
	inputBufferPool.Put((*[inputBufferSize]byte)(b[:inputBufferSize]))
}
