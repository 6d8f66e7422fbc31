package engine

import "time"

// EventKind names what happened on a connection.
type EventKind uint8

// Event kinds.
const (
	// EventHandshakeDone: the handshake completed (Node's 'secure').
	EventHandshakeDone EventKind = iota + 1
	// EventPeerClosed: the peer sent close_notify; Cleartext reads end with io.EOF.
	EventPeerClosed
	// EventKeyUpdated: a traffic key changed; Local is true for this side's
	// sending key (on request or in answer to the peer), false for the peer's.
	EventKeyUpdated
	// EventSessionTicket: the server sent a TLS 1.3 NewSessionTicket; Ticket
	// says what it allows.
	EventSessionTicket
	// EventAlert: the connection failed; Err is the AlertError (sent or received).
	EventAlert
	// EventEarlyDataRejected: the server refused the 0-RTT data (or answered
	// with a HelloRetryRequest); EarlyData holds it. It is not sent again by
	// itself (RFC 8446 section 4.2.10): write it as ordinary data if it is
	// still wanted.
	EventEarlyDataRejected
	// EventStoreFailed: a session store, ticket key source or replay store
	// failed; Err is the *StoreError. The handshake went on without it:
	// no resumption, no ticket or no 0-RTT this time.
	EventStoreFailed
)

// String returns the event's name.
func (k EventKind) String() string {
	switch k {
	case EventHandshakeDone:
		return "handshake done"
	case EventPeerClosed:
		return "peer closed"
	case EventKeyUpdated:
		return "key updated"
	case EventSessionTicket:
		return "session ticket"
	case EventAlert:
		return "alert"
	case EventEarlyDataRejected:
		return "early data rejected"
	case EventStoreFailed:
		return "store failed"
	}
	return "unknown event"
}

// Event is one entry of the engine's event queue.
type Event struct {
	Kind   EventKind
	Local  bool           // EventKeyUpdated: this side's sending key changed
	Err    error          // EventAlert: the fatal error; EventStoreFailed: the *StoreError
	Ticket *SessionTicket // EventSessionTicket: what the ticket allows
	// EarlyData is what the server refused (EventEarlyDataRejected).
	EarlyData []byte
}

// SessionTicket describes a TLS 1.3 ticket the server issued (Node's
// 'session' event).
type SessionTicket struct {
	// Lifetime is how long the server honours it (at most 7 days).
	Lifetime time.Duration
	// MaxEarlyData is how much 0-RTT data it allows; 0 means none.
	MaxEarlyData uint32
	// Cached is true when the ticket went into Config.ClientSessionCache, so
	// the next connection to the same ServerName offers it.
	Cached bool
	// Renewed is true when the connection itself resumed a ticket: the
	// server renewed it with this one (the cache now holds the new one).
	Renewed bool
}

// maxEvents bounds the queue; the engine stops reading input while it is full.
const maxEvents = 64

// NextEvent pops the oldest event; ok is false when the queue is empty.
func (e *Engine) NextEvent() (ev Event, ok bool) {
	if len(e.events) == 0 {
		return Event{}, false
	}
	ev = e.events[0]
	e.events = e.events[1:]
	if len(e.events) == 0 {
		e.events = nil
	}
	e.process()
	return ev, true
}

func (e *Engine) emit(ev Event) { e.events = append(e.events, ev) }
