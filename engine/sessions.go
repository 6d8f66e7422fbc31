package engine

import (
	"time"

	"github.com/securepair/securepair/handshake"
)

// Session-resumption types; see the handshake package for their use.
type (
	Session            = handshake.Session
	ServerSessionCache = handshake.ServerSessionCache
	ClientSessionCache = handshake.ClientSessionCache
	TicketKeys         = handshake.TicketKeys
)

// NewServerSessionCache makes a bounded cache of TLS 1.2 sessions by ID.
func NewServerSessionCache(capacity int) *ServerSessionCache {
	return handshake.NewServerSessionCache(capacity)
}

// NewClientSessionCache makes a bounded cache of sessions by server name.
func NewClientSessionCache(capacity int) *ClientSessionCache {
	return handshake.NewClientSessionCache(capacity)
}

// NewTicketKeys makes rotating session ticket keys.
func NewTicketKeys(rotateEvery time.Duration, keep int) *TicketKeys {
	return handshake.NewTicketKeys(rotateEvery, keep)
}
