package engine

import (
	"errors"

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

// ErrClosed is the caller's misuse of writing after Close.
var ErrClosed = errors.New("securepair: write after close")

// ErrHandshakeNotDone is the caller's misuse of asking for a post-handshake
// operation (such as KeyUpdate) before the handshake completed.
var ErrHandshakeNotDone = errors.New("securepair: handshake not complete")

// asAlertError makes any local failure an AlertError so the peer is told.
func asAlertError(err error) *AlertError {
	var ae *AlertError
	if errors.As(err, &ae) {
		return ae
	}
	return &AlertError{Alert: record.AlertInternalError, Reason: err.Error()}
}

// ErrNoKeyUpdate is the caller's misuse of asking for a KeyUpdate on a TLS
// 1.2 connection, which has none; the connection goes on.
var ErrNoKeyUpdate = errors.New("securepair: KeyUpdate exists only in TLS 1.3")
