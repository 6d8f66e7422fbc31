package engine

import "github.com/securepair/securepair/record"

// Corking, as Node's writable.cork(): many small writes make one record
// instead of one record each. A record costs a header, a tag and an AEAD
// call whatever it carries, so 64-byte messages sent one record each cost
// several times their size. Records are never merged unless the caller asks,
// since holding data back delays it.

// Cork holds back what Cleartext().Write takes after the handshake, to be
// sealed with what follows: a record goes out when 16 KiB are held, or at
// Uncork (or Close, or KeyUpdate, which send what is held first).
func (s *CleartextSide) Cork() { (*Engine)(s).corked = true }

// Uncork seals what Cork held back, and writes go out at once again.
func (s *CleartextSide) Uncork() error {
	e := (*Engine)(s)
	e.corked = false
	return e.sealHeld()
}

// writeCorked takes p into the held record, sealing each full one.
func (e *Engine) writeCorked(p []byte) (int, error) {
	taken := 0
	for taken < len(p) {
		if e.held == nil {
			e.held = record.GetBuffer()
		}
		n := min(len(p)-taken, record.MaxPlaintext-len(e.held))
		e.held = append(e.held, p[taken:taken+n]...)
		taken += n
		if len(e.held) == record.MaxPlaintext {
			if err := e.sealHeld(); err != nil {
				// The full record stays held; what it took counts as taken.
				return taken, err
			}
		}
	}
	return taken, nil
}

// sealHeld seals the held record, if any, and gives its buffer back. With
// no room in the output buffer it keeps it and returns ErrWouldBlock. The
// held data is at most one record, so it is sealed whole or not at all.
func (e *Engine) sealHeld() error {
	if len(e.held) == 0 {
		return e.err
	}
	if _, err := e.sealApplicationData(e.held); err != nil {
		return err
	}
	e.dropHeld()
	return nil
}

// dropHeld gives the held record's buffer back.
func (e *Engine) dropHeld() {
	if e.held != nil {
		record.PutBuffer(e.held)
		e.held = nil
	}
}
