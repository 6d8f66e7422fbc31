package engine

import (
	"github.com/securepair/securepair/engine/internal/machine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// maxUselessRecords bounds a run of records that carry nothing (empty
// application data, CCS, user_canceled), so a peer cannot keep the engine
// busy for free.
const maxUselessRecords = 32

// process handles buffered records until input runs out or an output queue
// is full: undelivered cleartext, unread ciphertext or events pause it, which
// keeps memory bounded whatever the peer sends. Application data alone never
// fills the output queue past BufferSize (Cleartext writes stop there), so
// only answers the peer provoked (KeyUpdate, handshake) can pause input:
// two engines busy writing to each other never stop each other reading.
func (e *Engine) process() {
	for e.err == nil && !e.peerClosed && !e.inputPaused() {
		rec, ok, err := e.in.Next()
		if err != nil {
			e.fail(err)
			break
		}
		if !ok {
			break
		}
		if err := e.handleRecord(rec); err != nil {
			e.fail(err)
		}
	}
	if e.traffic != nil && e.err == nil && !e.closeSent {
		if err := e.traffic.AnswerKeyUpdate(e.sink()); err != nil {
			e.fail(err)
		}
	}
	e.releaseInput()
}

func (e *Engine) handleRecord(rec record.Record) error {
	if rec.Type == record.TypeChangeCipherSpec {
		return e.handleCCS(rec.Body)
	}
	typ, data := rec.Type, rec.Body
	if e.readProt == nil {
		if e.early0.Skipping() && rec.Type == record.TypeApplicationData {
			return e.early0.SkipRecord(len(rec.Body)) // 0-RTT data before the second ClientHello
		}
		if len(data) > record.MaxPlaintext {
			return record.Errorf(record.AlertRecordOverflow, "plaintext record of %d bytes", len(data))
		}
	} else {
		var err error
		if typ, data, err = e.readProt.Open(rec); err != nil {
			if e.early0.Skipping() {
				return e.early0.SkipRecord(len(rec.Body)) // 0-RTT data under a key we refused
			}
			return err
		}
		e.early0.StopSkipping() // the client is on the handshake key now
	}
	if typ != record.TypeHandshake && len(e.hsBuf) > 0 {
		return errInterleaved(typ)
	}
	switch typ {
	case record.TypeAlert:
		return e.handleAlert(data)
	case record.TypeHandshake:
		if e.traffic == nil {
			e.useless = 0 // the handshake is progress
		} else if err := e.countUseless(); err != nil {
			return err // a run of post-handshake messages with no data between
		}
		return e.handleHandshake(data)
	case record.TypeApplicationData:
		return e.handleApplicationData(data)
	}
	return record.Errorf(record.AlertUnexpectedMessage, "protected record of type %s", typ)
}

// handleCCS drops a middlebox-compatibility ChangeCipherSpec where RFC 8446
// section 5 allows one: after the first ClientHello and before the peer's
// Finished.
func (e *Engine) handleCCS(body []byte) error {
	if len(e.hsBuf) > 0 {
		return errInterleaved(record.TypeChangeCipherSpec)
	}
	if st, ok := e.hs.(machine.CCSReceiver); ok {
		// TLS 1.2: the CCS is a protocol step, unprotected, and never inside
		// a partly received handshake message.
		if e.readProt != nil || len(body) != 1 || body[0] != 1 || len(e.hsBuf) > 0 {
			return record.Errorf(record.AlertUnexpectedMessage, "malformed or protected ChangeCipherSpec")
		}
		next, err := st.ChangeCipherSpec(e.sink())
		if err != nil {
			return err
		}
		e.hs = next
		return nil
	}
	if e.traffic != nil && e.state.Version == handshake.VersionTLS12 {
		return record.Errorf(record.AlertUnexpectedMessage, "ChangeCipherSpec after a TLS 1.2 handshake")
	}
	if !e.gotHello || e.readLevel == machine.LevelApplication {
		return record.Errorf(record.AlertUnexpectedMessage, "ChangeCipherSpec outside the handshake")
	}
	if len(body) != 1 || body[0] != 1 {
		return record.Errorf(record.AlertUnexpectedMessage, "malformed ChangeCipherSpec")
	}
	return e.countUseless()
}

// errInterleaved refuses a record of another type between the fragments of
// one handshake message (RFC 8446 section 5.1).
func errInterleaved(typ record.ContentType) error {
	return record.Errorf(record.AlertUnexpectedMessage, "%s record between fragments of a handshake message", typ)
}

func (e *Engine) countUseless() error {
	e.useless++
	if e.useless > maxUselessRecords {
		return record.Errorf(record.AlertUnexpectedMessage, "too many records without content")
	}
	return nil
}

func (e *Engine) handleAlert(data []byte) error {
	if len(data) == 0 { // as OpenSSL and crypto/tls answer it
		return record.Errorf(record.AlertUnexpectedMessage, "empty alert record")
	}
	if len(data) != 2 {
		return record.Errorf(record.AlertDecodeError, "alert record of %d bytes", len(data))
	}
	switch alert := record.Alert(data[1]); alert {
	case record.AlertCloseNotify:
		e.peerClosed = true
		e.emit(Event{Kind: EventPeerClosed})
		return nil
	case record.AlertUserCanceled:
		return e.countUseless()
	}
	if data[0] == alertLevelWarning && e.state.Version == VersionTLS12 {
		// In TLS 1.2 a warning does not end the connection (RFC 5246
		// section 7.2, RFC 6066 section 3); TLS 1.3 has no warnings.
		return e.countUseless()
	}
	return &record.AlertError{Alert: record.Alert(data[1]), Remote: true}
}

func (e *Engine) handleApplicationData(data []byte) error {
	if e.readLevel == machine.LevelEarly && e.early0.Taking() {
		return e.early0.Take(data)
	}
	// Application keys are not enough: in TLS 1.2 they exist from the
	// peer's CCS, but data counts only once its Finished has verified.
	if e.readLevel != machine.LevelApplication || e.traffic == nil {
		return record.Errorf(record.AlertUnexpectedMessage, "application data before the handshake completed")
	}
	if len(data) == 0 {
		return e.countUseless()
	}
	e.useless = 0
	e.plain = data
	return nil
}

// handleHandshake reassembles handshake messages from a record's content and
// dispatches each whole one. A message announced larger than the limit is
// refused on sight of its header, before its body is buffered.
func (e *Engine) handleHandshake(data []byte) error {
	if len(data) == 0 {
		return record.Errorf(record.AlertUnexpectedMessage, "empty handshake record")
	}
	for len(data) > 0 {
		if len(e.hsBuf) < handshake.HeaderLen {
			n := min(handshake.HeaderLen-len(e.hsBuf), len(data))
			e.hsBuf = append(e.hsBuf, data[:n]...)
			data = data[n:]
			if len(e.hsBuf) < handshake.HeaderLen {
				return nil
			}
			size := handshake.MessageLen(e.hsBuf)
			if size > e.maxMessage {
				return record.Errorf(record.AlertIllegalParameter, "handshake message of %d bytes exceeds the %d-byte limit", size, e.maxMessage)
			}
			e.hsBuf = append(make([]byte, 0, handshake.HeaderLen+size), e.hsBuf...)
		}
		want := handshake.HeaderLen + handshake.MessageLen(e.hsBuf) - len(e.hsBuf)
		n := min(want, len(data))
		e.hsBuf = append(e.hsBuf, data[:n]...)
		data = data[n:]
		if n < want {
			return nil
		}
		msg := e.hsBuf
		e.hsBuf = nil
		e.recordRest = len(data)
		err := e.dispatch(msg)
		e.recordRest = 0
		if err != nil {
			return err
		}
	}
	return nil
}

// dispatch hands one whole message to the current handshake state.
func (e *Engine) dispatch(msg []byte) error {
	e.gotHello = true
	next, err := e.hs.Handle(msg, e.sink())
	if err != nil {
		return err
	}
	e.hs = next
	if refused := e.early0.TakeRejected(); refused != nil {
		e.emit(Event{Kind: EventEarlyDataRejected, EarlyData: refused})
	}
	if e.traffic == nil && e.halfRTTReady() {
		e.flushEarly() // half-RTT data, after the server's Finished
	}
	if t, ok := next.(*machine.Traffic); ok && e.traffic == nil {
		if err := e.noPendingHandshake("the peer's Finished"); err != nil {
			return err
		}
		e.traffic = t
		e.flushEarly()
	}
	return nil
}
