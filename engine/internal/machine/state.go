package machine

import (
	"time"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// Level is the protection level of a traffic key.
type Level uint8

// Key levels, in the order a handshake installs them.
const (
	LevelHandshake Level = iota + 1
	LevelApplication
	// LevelEarly protects 0-RTT data (client_early_traffic_secret).
	LevelEarly
)

// Sink receives what the handshake produces, in order. The engine implements
// it: messages go out under the write key current when they are sent.
type Sink interface {
	// SendMessage queues one whole handshake message.
	SendMessage(msg []byte) error
	// SendChangeCipherSpec queues a ChangeCipherSpec record.
	SendChangeCipherSpec() error
	// SendWarning queues a warning-level alert.
	SendWarning(alert record.Alert) error
	// SetReadKey and SetWriteKey install record protection for one direction.
	SetReadKey(level Level, p record.Protector) error
	SetWriteKey(level Level, p record.Protector) error
	// Negotiated is the connection state the handshake fills in as it learns
	// each part; the engine reports it as it is.
	Negotiated() *ConnectionState
	// HelloSeen gives the ClientHello of the connection (sent or
	// received), for its fingerprint, computed only when asked for.
	HelloSeen(ch *handshake.ClientHello)
	// Complete reports the end of the handshake ('secure').
	Complete()
	// EndOfFlight says the message just handled ends the peer's flight:
	// the peer now waits for ours, so no more of its handshake bytes may
	// be pending (RFC 8446 section 5.1).
	EndOfFlight() error
	// KeyUpdated reports a traffic key change after the handshake: local is
	// true for this side's sending key, false for the peer's.
	KeyUpdated(local bool)
	// TicketReceived reports a TLS 1.3 NewSessionTicket from the server: how
	// long it lives, how much early data it allows, whether it was cached.
	TicketReceived(lifetime time.Duration, maxEarlyData uint32, cached bool)
	// EarlyData is the connection's 0-RTT state.
	EarlyData() *EarlyData
}

// State is one step of a handshake. Handle takes one whole handshake message
// (header included) and returns the next state. Each state accepts exactly the
// messages valid at its point and refuses the rest with unexpected_message.
type State interface {
	Handle(msg []byte, out Sink) (State, error)
}

// unexpected is the error of a state given a message it does not take.
func unexpected(got []byte, want string) error {
	return errUnexpected(handshake.MessageType(got[0]), want)
}

// expect decodes raw as the one message type T a state waits for: another
// type is unexpected_message, a malformed T decode_error. It is the decode
// point of every state that takes a single message type.
func expect[T any, P interface {
	*T
	handshake.Message
}](raw []byte) (P, error) {
	m := P(new(T))
	if err := handshake.Unmarshal(raw, m); err != nil {
		return nil, err
	}
	return m, nil
}
