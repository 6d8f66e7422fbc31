package engine

import (
	"time"

	"github.com/securepair/securepair/handshake"

	"github.com/securepair/securepair/engine/internal/machine"
	"github.com/securepair/securepair/record"
)

const (
	alertLevelWarning = 1
	alertLevelFatal   = 2
)

// maxEarlyCleartext bounds what Cleartext().Write queues before the handshake
// completes; beyond it the caller gets ErrWouldBlock.
const maxEarlyCleartext = 64 << 10

// outPending is how many ciphertext bytes wait to be read.
func (e *Engine) outPending() int { return len(e.out) - e.outOff }

// reserveOut makes room for n more bytes in the output buffer, moving pending
// bytes to the front or borrowing a buffer. It returns false when the room is
// not there without growing past BufferSize; control records may grow anyway.
func (e *Engine) reserveOut(n int, mayGrow bool) bool {
	if e.out == nil {
		e.out, e.outOff = record.GetBuffer(), 0
	}
	if cap(e.out)-len(e.out) >= n {
		return true
	}
	if e.outOff > 0 && !e.outLent {
		k := copy(e.out, e.out[e.outOff:])
		e.out, e.outOff = e.out[:k], 0
	}
	return mayGrow || cap(e.out)-len(e.out) >= n
}

// writeRecord appends one record of content type typ, protected when a write
// key is set. Callers keep len(data) within MaxPlaintext.
func (e *Engine) writeRecord(typ record.ContentType, data []byte) error {
	if e.writeProt == nil {
		version := uint16(record.VersionTLS12)
		if typ == record.TypeHandshake && e.isClient && !e.sentHello {
			version = record.VersionTLS10 // the initial ClientHello, as RFC 8446 section 5.1 allows
		}
		e.out = record.AppendHeader(e.out, typ, version, len(data))
		e.out = append(e.out, data...)
		return nil
	}
	var err error
	e.out, err = e.writeProt.Seal(e.out, typ, data, 0)
	return err
}

// recordOverhead is what one record adds to its data under the write key;
// the TLS 1.2 AES-GCM nonce makes it the largest of all.
func (e *Engine) recordOverhead() int {
	if e.writeProt == nil {
		return record.HeaderLen
	}
	return e.writeProt.Overhead()
}

// writeFragmented writes data as records of at most MaxPlaintext bytes.
func (e *Engine) writeFragmented(typ record.ContentType, data []byte) error {
	for len(data) > 0 {
		n := min(len(data), record.MaxPlaintext)
		e.reserveOut(n+e.recordOverhead(), true)
		if err := e.writeRecord(typ, data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// writeAlert queues an alert record under the current write key.
func (e *Engine) writeAlert(level uint8, alert record.Alert) {
	e.reserveOut(2+e.recordOverhead(), true)
	if err := e.writeRecord(record.TypeAlert, []byte{level, byte(alert)}); err != nil && e.err == nil {
		e.err = asAlertError(err)
	}
}

// sealApplicationData protects as much of p as the output buffer takes.
func (e *Engine) sealApplicationData(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n := min(len(p)-written, record.MaxPlaintext)
		if !e.reserveOut(n+e.recordOverhead(), false) {
			return written, ErrWouldBlock
		}
		if err := e.writeRecord(record.TypeApplicationData, p[written:written+n]); err != nil {
			e.fail(err)
			return written, e.err
		}
		written += n
	}
	return written, nil
}

// halfRTTReady reports whether a server may send application data before
// the client's Finished: asked for, TLS 1.3, its own Finished sent.
func (e *Engine) halfRTTReady() bool {
	return e.halfRTT && e.appWriteKey && e.state.Version == VersionTLS13
}

// flushEarly sends the cleartext queued before the handshake completed.
func (e *Engine) flushEarly() {
	if len(e.early) == 0 {
		return
	}
	if err := e.writeFragmented(record.TypeApplicationData, e.early); err != nil {
		e.fail(err)
	}
	e.early = nil
}

// sink is the Engine seen by the handshake: its methods are the
// machine.Sink interface, kept off the Engine's public API.
type sink Engine

func (e *Engine) sink() *sink { return (*sink)(e) }

func (s *sink) SendMessage(msg []byte) error {
	e := (*Engine)(s)
	err := e.writeFragmented(record.TypeHandshake, msg)
	e.sentHello = true
	return err
}

func (s *sink) SendChangeCipherSpec() error {
	e := (*Engine)(s)
	e.reserveOut(record.HeaderLen+1, true)
	e.out = record.AppendHeader(e.out, record.TypeChangeCipherSpec, record.VersionTLS12, 1)
	e.out = append(e.out, 1)
	return nil
}

func (s *sink) SendWarning(alert record.Alert) error {
	(*Engine)(s).writeAlert(alertLevelWarning, alert)
	return nil
}

func (s *sink) SetReadKey(level machine.Level, p record.Protector) error {
	e := (*Engine)(s)
	if len(e.hsBuf) > 0 || e.recordRest > 0 {
		return record.Errorf(record.AlertUnexpectedMessage, "handshake message spans a key change")
	}
	e.readProt, e.readLevel = p, level
	return nil
}

func (s *sink) SetWriteKey(level machine.Level, p record.Protector) error {
	if p == nil {
		s.writeProt = nil // back to plaintext (a second ClientHello after 0-RTT)
		return nil
	}
	s.writeProt = p
	s.appWriteKey = level == machine.LevelApplication
	return nil
}

func (s *sink) EarlyData() *machine.EarlyData { return &s.early0 }

func (s *sink) Negotiated() *machine.ConnectionState { return &s.state }

// HelloSeen keeps what the hello's fingerprint is computed from, not the
// hello itself.
func (s *sink) HelloSeen(ch *handshake.ClientHello) {
	s.hello = newHelloPrint(ch)
	s.fingerprint = nil
}

// Complete is the one place the handshake is marked complete.
func (s *sink) Complete() {
	e := (*Engine)(s)
	e.state.HandshakeComplete = true
	e.emit(Event{Kind: EventHandshakeDone})
}

func (s *sink) EndOfFlight() error {
	return (*Engine)(s).noPendingHandshake("the end of the peer's flight")
}

// noPendingHandshake refuses handshake bytes buffered or left in the
// current record where none may follow (RFC 8446 section 5.1).
func (e *Engine) noPendingHandshake(where string) error {
	if len(e.hsBuf) > 0 || e.recordRest > 0 {
		return record.Errorf(record.AlertUnexpectedMessage, "handshake data after %s", where)
	}
	return nil
}

func (s *sink) KeyUpdated(local bool) {
	(*Engine)(s).emit(Event{Kind: EventKeyUpdated, Local: local})
}

func (s *sink) TicketReceived(lifetime time.Duration, maxEarlyData uint32, cached bool) {
	e := (*Engine)(s)
	e.emit(Event{Kind: EventSessionTicket, Ticket: &SessionTicket{Lifetime: lifetime, MaxEarlyData: maxEarlyData, Cached: cached,
		Renewed: e.state.DidResume}})
}
