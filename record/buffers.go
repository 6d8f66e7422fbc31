package record

import "sync"

// BufferSize is the capacity of the buffers the engine borrows for its
// ciphertext queues: room for two of the largest records.
const BufferSize = 2 * MaxRecord

// bufferPool lends idle engines' buffers to busy ones, so that an idle engine
// holds no large buffer and a busy one allocates none in steady state. It is a
// cache only: what it holds never changes any result.
var bufferPool = sync.Pool{New: func() any { return new([BufferSize]byte) }}

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
