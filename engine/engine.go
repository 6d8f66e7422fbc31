package engine

import (
	"fmt"

	"github.com/securepair/securepair/engine/internal/machine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// Engine is one TLS connection, client or server. It is not safe for
// concurrent use: adapters serialise calls.
type Engine struct {
	maxMessage int // the largest handshake message taken
	isClient   bool
	hs         machine.State
	traffic    *machine.Traffic // set once the handshake completed

	// input side
	in         record.Deframer
	readProt   record.Protector
	readLevel  machine.Level
	hsBuf      []byte // a handshake message being reassembled
	recordRest int    // handshake bytes left in the record being dispatched
	plain      []byte // decrypted application data not yet read; aliases in's buffer
	useless    int    // consecutive records that carried nothing
	gotHello   bool   // a ClientHello was sent or received: CCS may arrive
	inLent     bool   // Room lent the input buffer: it must not move or go
	roomLen    int    // how many bytes that Room lent

	// output side
	writeProt record.Protector
	out       []byte // ciphertext waiting for Encrypted().Read; borrowed buffer
	outOff    int
	outLent   bool   // Peek lent the output buffer: it must not move or go
	early     []byte // cleartext written before the handshake completed
	sentHello bool   // the first handshake message has been written
	corked    bool   // Cleartext().Cork: writes are held back in held
	held      []byte // cleartext of the next record while corked; borrowed buffer
	// halfRTT: a TLS 1.3 server that sends application data after its
	// Finished, before the client's (Config.HalfRTT); appWriteKey: its
	// application write key is installed.
	halfRTT, appWriteKey bool

	early0 machine.EarlyData // 0-RTT, both roles

	events []Event
	state  machine.ConnectionState
	// The connection's ClientHello (ours or the peer's) and its
	// fingerprint once asked for.
	hello       *helloPrint
	fingerprint *Fingerprint
	err         error // sticky fatal error
	peerClosed  bool
	closeSent   bool
}

// NewClient starts a client handshake: the ClientHello is ready to be read
// from the Encrypted side when it returns.
func NewClient(cfg *Config) (*Engine, error) {
	e := &Engine{maxMessage: cfg.maxMessage(), isClient: true, gotHello: true}
	mc, err := cfg.machineConfig(true, e)
	if err != nil {
		return nil, err
	}
	st, err := machine.StartClient(mc, e.sink())
	if err != nil {
		return nil, err
	}
	e.hs = st
	return e, nil
}

// NewServer makes a server engine waiting for a ClientHello.
func NewServer(cfg *Config) (*Engine, error) {
	e := &Engine{maxMessage: cfg.maxMessage(), halfRTT: cfg.HalfRTT}
	mc, err := cfg.machineConfig(false, e)
	if err != nil {
		return nil, err
	}
	e.hs = machine.NewServer(mc)
	return e, nil
}

// IsClient reports the engine's role.
func (e *Engine) IsClient() bool { return e.isClient }

// HandshakeComplete reports whether the handshake has finished.
func (e *Engine) HandshakeComplete() bool { return e.traffic != nil }

// ConnectionState returns what has been negotiated so far.
func (e *Engine) ConnectionState() ConnectionState {
	st := ConnectionState(e.state)
	if e.hello != nil {
		if e.fingerprint == nil { // computed once, when first asked for
			fp := e.hello.hello().Fingerprint()
			e.fingerprint = &fp
		}
		st.Fingerprint = *e.fingerprint
	}
	return st
}

// Err returns the sticky fatal error, if any.
func (e *Engine) Err() error { return e.err }

// Close sends close_notify: the peer will read io.EOF. Writes fail after it;
// reading goes on until the peer closes too.
func (e *Engine) Close() error {
	if e.err != nil {
		return e.err
	}
	if e.closeSent {
		return nil
	}
	if err := e.sealHeld(); err != nil && e.err == nil {
		return err // no room for what Cork held: read the Encrypted side first
	}
	e.closeSent = true
	e.early = nil
	e.writeAlert(alertLevelWarning, record.AlertCloseNotify)
	return e.err
}

// KeyUpdate changes this side's traffic key; requestPeer asks the peer to
// change its own too (RFC 8446 section 4.6.3).
func (e *Engine) KeyUpdate(requestPeer bool) error {
	if e.err != nil {
		return e.err
	}
	if e.traffic == nil {
		return ErrHandshakeNotDone
	}
	if e.closeSent {
		return ErrClosed
	}
	if e.state.Version != handshake.VersionTLS13 {
		return ErrNoKeyUpdate // the caller's mistake: the connection goes on
	}
	if err := e.sealHeld(); err != nil {
		return err // what Cork held goes under the old key; no room for it yet
	}
	if err := e.traffic.UpdateKeys(e.sink(), requestPeer); err != nil {
		e.fail(err)
	}
	return e.err
}

// ExportKeyingMaterial returns keying material for label and context
// (RFC 8446 section 7.5) once the handshake is complete.
func (e *Engine) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	if e.traffic == nil {
		return nil, ErrHandshakeNotDone
	}
	if !e.state.ExtendedMasterSecret {
		return nil, ErrNoExtendedMasterSecret
	}
	maxLabel, maxContext, maxLength := e.traffic.ExportLimits()
	if len(label) > maxLabel || len(context) > maxContext || length < 0 || length > maxLength {
		return nil, fmt.Errorf("%w: label of %d bytes (at most %d), context of %d (at most %d), length %d (at most %d)",
			ErrInvalidExport, len(label), maxLabel, len(context), maxContext, length, maxLength)
	}
	return e.traffic.ExportKeyingMaterial(label, context, length), nil
}

// fail makes err the sticky error, tells the peer with an alert when this side
// found the problem, and drops buffered input.
func (e *Engine) fail(err error) {
	if e.err != nil {
		return
	}
	ae := asAlertError(err)
	e.err = ae
	if !ae.Remote {
		e.writeAlert(alertLevelFatal, ae.Alert)
	}
	e.emit(Event{Kind: EventAlert, Err: e.err})
	e.early = nil
	e.hsBuf = nil
	e.dropHeld()
}
