package adapters

import (
	"net"
	"sync"
)

// connQueue is a net.Listener whose Accept returns connections put into it:
// the way to hand connections that are already secure to an http.Server.
type connQueue struct {
	ch     chan net.Conn
	mu     sync.Mutex
	closed chan struct{}
	done   bool
}

func newConnQueue() *connQueue {
	return &connQueue{ch: make(chan net.Conn), closed: make(chan struct{})}
}

// put hands c to Accept; false once the queue is closed.
func (q *connQueue) put(c net.Conn) bool {
	select {
	case q.ch <- c:
		return true
	case <-q.closed:
		return false
	}
}

// Accept waits for the next connection put into the queue.
func (q *connQueue) Accept() (net.Conn, error) {
	select {
	case c := <-q.ch:
		return c, nil
	case <-q.closed:
		return nil, net.ErrClosed
	}
}

// Close makes Accept and put fail from now on.
func (q *connQueue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.done {
		q.done = true
		close(q.closed)
	}
	return nil
}

// Addr is a placeholder: the queue listens on nothing.
func (q *connQueue) Addr() net.Addr { return noAddr{} }
