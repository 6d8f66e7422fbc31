package engine

import (
	"io"
	"time"

	"github.com/securepair/securepair/engine/internal/machine"
)

// ServerSessionCache keeps a server's TLS 1.2 sessions by session ID, bounded
// in size, for Config.ServerSessionCache. It is safe for concurrent use.
type ServerSessionCache struct{ c *machine.ServerSessionCache }

// NewServerSessionCache makes a cache of at most capacity sessions (0: 1024),
// the least recently used dropped first.
func NewServerSessionCache(capacity int) *ServerSessionCache {
	return &ServerSessionCache{machine.NewServerSessionCache(capacity)}
}

// Len returns how many sessions the cache holds.
func (c *ServerSessionCache) Len() int { return c.c.Len() }

func (c *ServerSessionCache) inner() *machine.ServerSessionCache {
	if c == nil {
		return nil
	}
	return c.c
}

// ClientSessionCache keeps a client's sessions (TLS 1.2 sessions, TLS 1.3
// tickets) by server name, bounded in size, for Config.ClientSessionCache. It
// is safe for concurrent use.
type ClientSessionCache struct{ c *machine.ClientSessionCache }

// NewClientSessionCache makes a cache of at most capacity sessions (0: 1024),
// the least recently used dropped first.
func NewClientSessionCache(capacity int) *ClientSessionCache {
	return &ClientSessionCache{machine.NewClientSessionCache(capacity)}
}

// Len returns how many sessions the cache holds.
func (c *ClientSessionCache) Len() int { return c.c.Len() }

func (c *ClientSessionCache) inner() *machine.ClientSessionCache {
	if c == nil {
		return nil
	}
	return c.c
}

// TicketKeys seal and open session tickets (RFC 5077 in TLS 1.2, PSK tickets
// in TLS 1.3) for Config.TicketKeys. The newest key seals; older keys still
// open tickets until they are rotated out. It is safe for concurrent use.
type TicketKeys struct{ k *machine.TicketKeys }

// NewTicketKeys makes ticket keys that rotate every rotateEvery (0: one
// hour) and keep the keep newest (0: 4); a ticket lives for 7 days at most.
func NewTicketKeys(rotateEvery time.Duration, keep int) *TicketKeys {
	return &TicketKeys{machine.NewTicketKeys(rotateEvery, keep)}
}

// Rotate adds a new sealing key made from rand now, and drops the oldest
// beyond the number kept. Keys also rotate by themselves when they age.
func (k *TicketKeys) Rotate(rand io.Reader, now time.Time) error { return k.k.Rotate(rand, now) }

func (k *TicketKeys) inner() *machine.TicketKeys {
	if k == nil {
		return nil
	}
	return k.k
}

// ReplayGuard remembers the tickets that carried 0-RTT data, so a replayed
// ClientHello cannot have its early data accepted twice (Config.EarlyDataGuard).
// It is bounded: the oldest entries go first, and a ticket older than the
// window is refused early data anyway. It is safe for concurrent use.
type ReplayGuard struct{ g *machine.ReplayGuard }

// NewReplayGuard makes a guard remembering at most capacity tickets (0: 100000).
func NewReplayGuard(capacity int) *ReplayGuard {
	return &ReplayGuard{machine.NewReplayGuard(capacity)}
}

func (g *ReplayGuard) inner() *machine.ReplayGuard {
	if g == nil {
		return nil
	}
	return g.g
}
