package engine

import (
	"github.com/securepair/securepair/record"
)

// WriteEarlyData sends 0-RTT data right behind the ClientHello, when the
// cached ticket allows it (Config.EarlyData). It takes at most what the
// ticket allows; a short count comes with ErrNoEarlyData. If the server
// refuses it, EventEarlyDataRejected hands the bytes back: the application
// decides whether to send them again. Early data can be replayed by an
// attacker.
func (e *Engine) WriteEarlyData(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n := min(len(p), e.early0.Room())
	if n == 0 {
		return 0, ErrNoEarlyData
	}
	if err := e.writeFragmented(record.TypeApplicationData, p[:n]); err != nil {
		e.fail(err)
		return 0, e.err
	}
	e.early0.Sent(p[:n])
	if n < len(p) {
		return n, ErrNoEarlyData
	}
	return n, nil
}

// ReadEarlyData returns 0-RTT data the server accepted, apart from ordinary
// data (Cleartext), so the application can treat it as replayable. It
// returns ErrWouldBlock when there is none.
func (e *Engine) ReadEarlyData(p []byte) (int, error) {
	if e.early0.Buffered() == 0 {
		e.process()
	}
	if e.early0.Buffered() == 0 {
		if e.err != nil {
			return 0, e.err
		}
		return 0, ErrWouldBlock
	}
	return e.early0.Read(p), nil
}
