package engine

import (
	"errors"
	"fmt"
	"io"

	"github.com/securepair/securepair/engine/internal/machine"
	"github.com/securepair/securepair/record"
)

// Alert is a TLS alert description.
type Alert = record.Alert

// AlertError is a fatal TLS error with its alert. Remote tells whether the
// peer sent the alert (its misbehaviour or its report) or this side detected
// the problem and sent the alert. Compare with errors.As.
type AlertError = record.AlertError

// ErrWouldBlock is returned by the Encrypted and Cleartext sides when there is
// nothing to read yet, or no room to take more until the other side is
// drained. It is not an error of the connection: retry after moving bytes.
var ErrWouldBlock = errors.New("securepair: would block")

// ErrTruncated is the sticky error of a connection whose encrypted stream
// ended (Encrypted().Close) without the peer's close_notify: the data may have
// been cut by an attacker, so it is never reported as a clean io.EOF.
var ErrTruncated = errors.New("securepair: stream ended without close_notify (truncation)")

// errTruncatedInRecord is ErrTruncated for a stream that ended inside a
// record: errors.Is finds ErrTruncated and io.ErrUnexpectedEOF.
var errTruncatedInRecord = fmt.Errorf("%w, inside a record (%w)", ErrTruncated, io.ErrUnexpectedEOF)

// ErrNoExtendedMasterSecret is returned by ExportKeyingMaterial on a TLS 1.2
// session without the extended master secret: its keys could be shared with
// another connection (RFC 7627 section 5.4; the triple-handshake attack).
var ErrNoExtendedMasterSecret = errors.New("securepair: no keying material export without the extended master secret")

// CertificateError is why a peer's certificate did not verify: Code is the
// code a Node 20 peer reports as authorizationError for the same
// certificate (UNABLE_TO_GET_ISSUER_CERT when none was sent,
// UNABLE_TO_VERIFY_LEAF_SIGNATURE, UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
// DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED,
// CERT_NOT_YET_VALID, INVALID_PURPOSE, ERR_TLS_CERT_ALTNAME_INVALID), and Err
// the x509 error behind it (Unwrap). It sits in
// ConnectionState.AuthorizationError and inside the AlertError of a refused
// handshake.
type CertificateError = machine.CertificateError

// asAlertError makes any local failure an AlertError so the peer is told.
func asAlertError(err error) *AlertError {
	var ae *AlertError
	if errors.As(err, &ae) {
		return ae
	}
	return &AlertError{Alert: record.AlertInternalError, Reason: err.Error()}
}

// The caller's mistakes (h11's LocalProtocolError). Each is returned at once,
// the connection is not harmed, and all share the "securepair: misuse:"
// prefix.
var (
	// ErrInvalidConfig wraps why NewClient or NewServer refused a Config.
	ErrInvalidConfig = errors.New("securepair: misuse: invalid Config")
	// ErrClosed: writing after Close.
	ErrClosed = errors.New("securepair: misuse: write after Close")
	// ErrHandshakeNotDone: a post-handshake operation (KeyUpdate, exporter)
	// before the handshake completed.
	ErrHandshakeNotDone = errors.New("securepair: misuse: handshake not complete")
	// ErrNoKeyUpdate: KeyUpdate on a TLS 1.2 connection, which has none.
	ErrNoKeyUpdate = errors.New("securepair: misuse: KeyUpdate exists only in TLS 1.3")
	// ErrNoEarlyData: WriteEarlyData when 0-RTT is not open (no ticket
	// allowing it, Config.EarlyData off, or the server has answered).
	ErrNoEarlyData = errors.New("securepair: misuse: early data cannot be sent now")
	// ErrInvalidExport wraps an ExportKeyingMaterial request out of range.
	ErrInvalidExport = errors.New("securepair: misuse: keying material request out of range")
)
