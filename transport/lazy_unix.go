//go:build unix

package transport

import (
	"io"
	"os"
	"syscall"
)

// rawReader reads a socket through its syscall.RawConn: it tries a read,
// and on EAGAIN gives the buffer back before the runtime's poller waits.
type rawReader struct {
	rc      syscall.RawConn
	room    func() []byte
	unused  func()
	n       int
	err     error
	tryRead func(fd uintptr) bool // r.try, bound once so reads allocate nothing
}

func socketReader(r io.Reader) LazyReader {
	sc, ok := r.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	rr := &rawReader{rc: rc}
	rr.tryRead = rr.try
	return rr
}

func (r *rawReader) ReadLazy(room func() []byte, unused func()) (int, error) {
	r.room, r.unused, r.n, r.err = room, unused, 0, nil
	if err := r.rc.Read(r.tryRead); err != nil {
		return 0, err // a deadline, or the connection closed
	}
	r.room, r.unused = nil, nil
	return r.n, r.err
}

// try is one read attempt; false means "wait for readiness and call again".
func (r *rawReader) try(fd uintptr) bool {
	b := r.room()
	if len(b) == 0 {
		return true
	}
	for {
		n, err := syscall.Read(int(fd), b)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			r.unused()
			return false
		case err != nil:
			r.err = os.NewSyscallError("read", err)
		case n == 0:
			r.err = io.EOF
		default:
			r.n = n
		}
		return true
	}
}
