package securepairtest

import (
	"fmt"
	"net"
	"sync"
	"time"

	"pgregory.net/rapid"
)

// FaultKind names what a Fault does to the bytes one side writes.
type FaultKind uint8

// The faults, and what the peer reading the faulted stream gets after the
// handshake (TestEachFaultsError checks each). At is an offset in the
// stream of bytes written through the FaultConn (from 0), so a script does
// not depend on how writes are cut.
const (
	// Split delivers every write in pieces of at most N bytes: the peer
	// gets the data intact.
	Split FaultKind = iota + 1
	// Delay waits D before each write: past the peer's read deadline it
	// gets os.ErrDeadlineExceeded.
	Delay
	// Stall stops delivering at At (later writes vanish): the peer gets
	// os.ErrDeadlineExceeded at its deadline.
	Stall
	// Drop closes the whole connection at At, without close_notify: the
	// peer gets engine.ErrTruncated, which also matches io.ErrUnexpectedEOF
	// when At falls inside a record.
	Drop
	// Truncate ends the stream at At (a half-close, as a peer that died
	// after its FIN), without close_notify: engine.ErrTruncated, as Drop.
	Truncate
	// Flip flips bit Bit of the byte at At: the peer sends bad_record_mac
	// and gets that *engine.AlertError (in a handshake message: the alert
	// its check names).
	Flip
	// Inject inserts Data before the byte at At: the peer sends the alert
	// the bytes call for (unexpected_message for an unknown record type)
	// and gets that *engine.AlertError.
	Inject
)

// Fault is one step of a FaultConn's script.
type Fault struct {
	Kind FaultKind
	At   int64
	N    int
	Bit  uint8
	D    time.Duration
	Data []byte
}

func (f Fault) String() string {
	switch f.Kind {
	case Split:
		return fmt.Sprintf("split writes into %d-byte pieces", f.N)
	case Delay:
		return fmt.Sprintf("delay each write %v", f.D)
	case Stall:
		return fmt.Sprintf("stall at byte %d", f.At)
	case Drop:
		return fmt.Sprintf("drop the connection at byte %d", f.At)
	case Truncate:
		return fmt.Sprintf("truncate at byte %d", f.At)
	case Flip:
		return fmt.Sprintf("flip bit %d of byte %d", f.Bit, f.At)
	case Inject:
		return fmt.Sprintf("inject %d bytes at byte %d", len(f.Data), f.At)
	}
	return "no fault"
}

// closeWriter is a connection that can half-close, as TCP and
// transport.Pipe can.
type closeWriter interface{ CloseWrite() error }

// FaultConn is a net.Conn whose writes go through a script of faults
// before reaching the connection below. Reads pass through untouched:
// wrap both ends to fault both directions.
type FaultConn struct {
	net.Conn
	faults  []Fault
	mu      sync.Mutex
	written int64 // offset of the next byte in the stream
	ended   bool  // stalled, dropped or truncated: nothing more is delivered
}

// NewFaultConn wraps c with faults.
func NewFaultConn(c net.Conn, faults ...Fault) *FaultConn {
	return &FaultConn{Conn: c, faults: faults}
}

// AddFaults adds to the script; an At below Written is never reached.
func (c *FaultConn) AddFaults(faults ...Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.faults = append(c.faults, faults...)
}

// Written is how many bytes of the stream went through so far.
func (c *FaultConn) Written() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written
}

// Write delivers p through the faults; it reports p written unless the
// connection below fails.
func (c *FaultConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.faults {
		if f.Kind == Delay {
			time.Sleep(f.D)
		}
	}
	for i := 0; i < len(p); {
		if c.ended {
			return len(p), nil
		}
		end := c.nextBoundary(p, i)
		piece := append([]byte{}, p[i:end]...)
		if err := c.deliver(piece); err != nil {
			return i, err
		}
		c.written += int64(end - i)
		i = end
	}
	return len(p), nil
}

// nextBoundary is where the piece starting at p[i] ends: at the next
// fault offset or split size, whichever comes first.
func (c *FaultConn) nextBoundary(p []byte, i int) int {
	end := len(p)
	for _, f := range c.faults {
		switch {
		case f.Kind == Split && f.N > 0:
			end = min(end, i+f.N)
		case f.Kind != Split && f.Kind != Delay && f.At > c.written && f.At < c.written+int64(end-i):
			end = i + int(f.At-c.written)
		}
	}
	return end
}

// deliver applies the faults due at the current offset to piece, which
// starts there, and writes what is left.
func (c *FaultConn) deliver(piece []byte) error {
	for _, f := range c.faults {
		if f.At != c.written {
			continue
		}
		switch f.Kind {
		case Stall:
			c.ended = true
			return nil
		case Drop:
			c.ended = true
			return c.Conn.Close()
		case Truncate:
			c.ended = true
			if cw, ok := c.Conn.(closeWriter); ok {
				return cw.CloseWrite()
			}
			return c.Conn.Close()
		case Flip:
			piece[0] ^= 1 << (f.Bit % 8)
		case Inject:
			if _, err := c.Conn.Write(f.Data); err != nil {
				return err
			}
		}
	}
	_, err := c.Conn.Write(piece)
	return err
}

// DrawFaults draws a script for a stream of about streamLen bytes: split
// writes always, and at most one of stall, drop, truncate, flip or inject.
func DrawFaults(t *rapid.T, streamLen int) []Fault {
	faults := []Fault{{Kind: Split, N: rapid.IntRange(1, 512).Draw(t, "split")}}
	at := int64(rapid.IntRange(0, max(streamLen-1, 0)).Draw(t, "at"))
	switch rapid.IntRange(0, 5).Draw(t, "fault") {
	case 1:
		faults = append(faults, Fault{Kind: Drop, At: at})
	case 2:
		faults = append(faults, Fault{Kind: Truncate, At: at})
	case 3:
		faults = append(faults, Fault{Kind: Flip, At: at, Bit: uint8(rapid.IntRange(0, 7).Draw(t, "bit"))})
	case 4:
		faults = append(faults, Fault{Kind: Inject, At: at, Data: rapid.SliceOfN(rapid.Byte(), 1, 32).Draw(t, "data")})
	case 5:
		faults = append(faults, Fault{Kind: Stall, At: at})
	}
	return faults
}
