package engine

import (
	"io"
	"time"

	"github.com/securepair/securepair/engine/internal/machine"
)

// The state a server keeps beyond one connection (ticket keys, TLS 1.2
// sessions, 0-RTT replay records) and a client's sessions sit behind the
// interfaces below, so that a fleet of servers can share them (see
// docs/fleet.md and the Redis implementations in store/redis). The types
// in this file are the in-memory defaults.
//
// The engine calls a store synchronously, from inside the call that fed it
// the message, so a store should answer fast and time out early. An error
// never fails a handshake: it means no resumption, no ticket or no 0-RTT
// (a full handshake), and it is reported as an EventStoreFailed.

// TicketKey seals and opens session tickets: Name travels in each ticket
// in clear to pick the key, Secret is an AES-256-GCM key, Created says when
// it was made.
type TicketKey = machine.TicketKey

// NewTicketKey makes a ticket key from rand (crypto/rand.Reader in
// production).
func NewTicketKey(rand io.Reader, now time.Time) (TicketKey, error) {
	return machine.NewTicketKey(rand, now)
}

// TicketKeySource gives a server its ticket keys at now: the first seals
// new tickets, and every one may open them. rand is for a source that
// makes keys itself (Config.Rand's). Its method:
//
//	TicketKeys(rand io.Reader, now time.Time) ([]TicketKey, error)
type TicketKeySource = machine.TicketKeySource

// SessionStore keeps encoded sessions by key for ttl: a server's TLS 1.2
// sessions by session ID (sealed with its ticket keys when it has some), a
// client's by server name. Get returns nil, nil for a key it does not
// have. The values are the engine's own versioned encoding, at most 64 KiB
// is read back. Its methods:
//
//	Get(key string, now time.Time) ([]byte, error)
//	Put(key string, value []byte, now time.Time, ttl time.Duration) error
type SessionStore = machine.SessionStore

// ReplayStore records the 0-RTT ClientHellos a server accepted, by a hash
// of their PSK binder: FirstSeen reports whether key is new within window
// and records it, atomically for every server sharing the store (RFC 8446
// section 8.2). Its method:
//
//	FirstSeen(key []byte, now time.Time, window time.Duration) (bool, error)
type ReplayStore = machine.ReplayStore

// ServerSessionCache keeps a server's TLS 1.2 sessions by session ID in
// memory, bounded in size, for Config.ServerSessionCache. It is safe for
// concurrent use.
type ServerSessionCache struct{ c *machine.SessionCache }

// NewServerSessionCache makes a cache of at most capacity sessions (0: 1024),
// the least recently used dropped first.
func NewServerSessionCache(capacity int) *ServerSessionCache {
	return &ServerSessionCache{machine.NewSessionCache(capacity)}
}

// Get returns the session kept under id.
func (c *ServerSessionCache) Get(id string, now time.Time) ([]byte, error) { return c.c.Get(id, now) }

// Put keeps a session under id for ttl.
func (c *ServerSessionCache) Put(id string, value []byte, now time.Time, ttl time.Duration) error {
	return c.c.Put(id, value, now, ttl)
}

// Len returns how many sessions the cache holds.
func (c *ServerSessionCache) Len() int { return c.c.Len() }

// ClientSessionCache keeps a client's sessions (TLS 1.2 sessions, TLS 1.3
// tickets) by server name in memory, bounded in size, for
// Config.ClientSessionCache. It is safe for concurrent use.
type ClientSessionCache struct{ c *machine.SessionCache }

// NewClientSessionCache makes a cache of at most capacity sessions (0: 1024),
// the least recently used dropped first.
func NewClientSessionCache(capacity int) *ClientSessionCache {
	return &ClientSessionCache{machine.NewSessionCache(capacity)}
}

// Get returns the session kept for serverName.
func (c *ClientSessionCache) Get(serverName string, now time.Time) ([]byte, error) {
	return c.c.Get(serverName, now)
}

// Put keeps a session for serverName for ttl.
func (c *ClientSessionCache) Put(serverName string, value []byte, now time.Time, ttl time.Duration) error {
	return c.c.Put(serverName, value, now, ttl)
}

// Len returns how many sessions the cache holds.
func (c *ClientSessionCache) Len() int { return c.c.Len() }

// TicketKeys is the in-memory TicketKeySource: a new sealing key every
// rotation period, the newest few kept for opening. Tickets live 7 days at
// most. It is safe for concurrent use.
type TicketKeys struct{ k *machine.TicketKeys }

// NewTicketKeys makes ticket keys that rotate every rotateEvery (0: one
// hour) and keep the keep newest (0: 4).
func NewTicketKeys(rotateEvery time.Duration, keep int) *TicketKeys {
	return &TicketKeys{machine.NewTicketKeys(rotateEvery, keep)}
}

// TicketKeys returns the keys, the sealing key first, after rotating when
// the newest has aged.
func (k *TicketKeys) TicketKeys(rand io.Reader, now time.Time) ([]TicketKey, error) {
	return k.k.TicketKeys(rand, now)
}

// Rotate adds a new sealing key made from rand now, and drops the oldest
// beyond the number kept.
func (k *TicketKeys) Rotate(rand io.Reader, now time.Time) error { return k.k.Rotate(rand, now) }

// SetKeys replaces the keys with keys from outside (the first seals) and
// ends the rotation of their own: whoever sets them rotates them.
func (k *TicketKeys) SetKeys(keys []TicketKey) error { return k.k.SetKeys(keys) }

// ReplayGuard is the in-memory ReplayStore (Config.EarlyDataGuard). It is
// bounded: an entry goes once its window has passed, and while the guard
// is full it refuses 0-RTT rather than forget a ClientHello a replay could
// reuse. It is safe for concurrent use.
type ReplayGuard struct{ g *machine.ReplayGuard }

// NewReplayGuard makes a guard remembering at most capacity ClientHellos
// (0: 100000).
func NewReplayGuard(capacity int) *ReplayGuard {
	return &ReplayGuard{machine.NewReplayGuard(capacity)}
}

// FirstSeen records key for window and reports whether it was new.
func (g *ReplayGuard) FirstSeen(key []byte, now time.Time, window time.Duration) (bool, error) {
	return g.g.FirstSeen(key, now, window)
}
