package machine

import (
	"container/list"
	"errors"
	"io"
	"sync"
	"time"
)

// TicketKeys is the in-memory TicketKeySource: it makes a new sealing key
// every rotateEvery and keeps the keep newest for opening. SetKeys replaces
// them from outside (a fleet's shared keys).
type TicketKeys struct {
	mu     sync.Mutex
	keys   []TicketKey // newest first
	rotate time.Duration
	keep   int
	fixed  bool // set by SetKeys: no rotation of its own
}

// NewTicketKeys makes ticket keys that rotate every rotateEvery (0: one
// hour) and keep the keep newest (0: 4).
func NewTicketKeys(rotateEvery time.Duration, keep int) *TicketKeys {
	if rotateEvery <= 0 {
		rotateEvery = time.Hour
	}
	if keep <= 0 {
		keep = 4
	}
	return &TicketKeys{rotate: rotateEvery, keep: keep}
}

// TicketKeys returns the keys, rotating first when the newest has aged.
func (k *TicketKeys) TicketKeys(rand io.Reader, now time.Time) ([]TicketKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.fixed && (len(k.keys) == 0 || now.Sub(k.keys[0].Created) >= k.rotate) {
		if err := k.rotateLocked(rand, now); err != nil {
			return nil, err
		}
	}
	return k.keys, nil
}

// Rotate adds a new sealing key made from rand and drops the oldest beyond
// keep.
func (k *TicketKeys) Rotate(rand io.Reader, now time.Time) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.rotateLocked(rand, now)
}

func (k *TicketKeys) rotateLocked(rand io.Reader, now time.Time) error {
	nk, err := NewTicketKey(rand, now)
	if err != nil {
		return err
	}
	k.keys = append([]TicketKey{nk}, k.keys...)
	if len(k.keys) > k.keep {
		k.keys = k.keys[:k.keep]
	}
	return nil
}

// SetKeys replaces the keys (the first seals) and stops the rotation of
// their own: whoever sets them rotates them.
func (k *TicketKeys) SetKeys(keys []TicketKey) error {
	if len(keys) == 0 {
		return errors.New("machine: SetKeys needs at least one key")
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys, k.fixed = append([]TicketKey{}, keys...), true
	return nil
}

// SessionCache is the in-memory SessionStore: bounded, least recently used
// first out, entries expiring after their ttl. It is safe for concurrent
// use: many connections share it.
type SessionCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent
	items map[string]*list.Element
}

type cacheEntry struct {
	key     string
	value   []byte
	expires time.Time
}

// NewSessionCache makes a cache of at most capacity sessions (0: 1024).
func NewSessionCache(capacity int) *SessionCache {
	if capacity <= 0 {
		capacity = 1024
	}
	return &SessionCache{max: capacity, order: list.New(), items: map[string]*list.Element{}}
}

// Put keeps value under key until now+ttl.
func (c *SessionCache) Put(key string, value []byte, now time.Time, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	entry := &cacheEntry{key, append([]byte{}, value...), now.Add(ttl)}
	if e, ok := c.items[key]; ok {
		e.Value = entry
		c.order.MoveToFront(e)
		return nil
	}
	c.items[key] = c.order.PushFront(entry)
	for c.order.Len() > c.max {
		c.remove(c.order.Back())
	}
	return nil
}

// Get returns what is kept under key and has not expired.
func (c *SessionCache) Get(key string, now time.Time) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil, nil
	}
	entry := e.Value.(*cacheEntry)
	if now.After(entry.expires) {
		c.remove(e)
		return nil, nil
	}
	c.order.MoveToFront(e)
	return entry.value, nil
}

func (c *SessionCache) remove(e *list.Element) {
	c.order.Remove(e)
	delete(c.items, e.Value.(*cacheEntry).key)
}

// Len returns how many sessions the cache holds.
func (c *SessionCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// ReplayGuard is the in-memory ReplayStore. It is bounded: entries go once
// their window has passed, and while it is full of live entries it answers
// "seen" (0-RTT refused) rather than forget one that a replay could reuse.
type ReplayGuard struct {
	mu    sync.Mutex
	seen  map[string]time.Time // key: until when it is remembered
	order []string             // oldest first
	max   int
}

// NewReplayGuard makes a guard remembering at most capacity entries (0:
// 100000).
func NewReplayGuard(capacity int) *ReplayGuard {
	if capacity <= 0 {
		capacity = 100000
	}
	return &ReplayGuard{seen: map[string]time.Time{}, max: capacity}
}

// FirstSeen records key for window and reports whether it was new.
func (g *ReplayGuard) FirstSeen(key []byte, now time.Time, window time.Duration) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.order) > 0 && now.After(g.seen[g.order[0]]) {
		delete(g.seen, g.order[0])
		g.order = g.order[1:]
	}
	if until, ok := g.seen[string(key)]; ok && !now.After(until) {
		return false, nil
	}
	if len(g.order) >= g.max {
		return false, nil
	}
	g.seen[string(key)] = now.Add(window)
	g.order = append(g.order, string(key))
	return true, nil
}
