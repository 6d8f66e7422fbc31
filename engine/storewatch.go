package engine

import (
	"fmt"
	"io"
	"time"

	"github.com/securepair/securepair/engine/internal/machine"
)

// StoreError is a store's failure, reported in an EventStoreFailed: the
// handshake went on without it.
type StoreError struct {
	Store string // "ticket keys", "session store" or "replay store"
	Err   error
}

func (e *StoreError) Error() string { return "securepair: " + e.Store + ": " + e.Err.Error() }

// Unwrap returns the store's error.
func (e *StoreError) Unwrap() error { return e.Err }

// checkStores refuses a shared server session store without ticket keys:
// its sessions would sit in it readable, and a forged one would resume.
func (c *Config) checkStores() error {
	if _, inMemory := c.ServerSessionCache.(*ServerSessionCache); c.ServerSessionCache != nil && !inMemory && c.TicketKeys == nil {
		return fmt.Errorf("%w: a ServerSessionCache other than NewServerSessionCache's needs TicketKeys to seal its sessions", ErrInvalidConfig)
	}
	return nil
}

// watchStores gives the machines the Config's stores through one watcher
// per engine, which reports their failures as events on e.
func (c *Config) watchStores(m *machine.Config, isClient bool, e *Engine) {
	sessions := c.ServerSessionCache
	if isClient {
		sessions = c.ClientSessionCache
	}
	if c.TicketKeys == nil && sessions == nil && c.EarlyDataGuard == nil {
		return
	}
	w := &storeWatch{tickets: c.TicketKeys, sessions: sessions, replay: c.EarlyDataGuard, e: e}
	if c.TicketKeys != nil {
		m.TicketKeys = w
	}
	if sessions != nil && isClient {
		m.ClientSessionCache = w
	} else if sessions != nil {
		m.ServerSessionCache = w
	}
	if c.EarlyDataGuard != nil {
		m.EarlyDataGuard = w
	}
}

// storeWatch passes calls to the stores and turns their errors into
// EventStoreFailed.
type storeWatch struct {
	tickets  TicketKeySource
	sessions SessionStore
	replay   ReplayStore
	e        *Engine
}

func (w *storeWatch) failed(store string, err error) error {
	if err != nil {
		w.e.emit(Event{Kind: EventStoreFailed, Err: &StoreError{Store: store, Err: err}})
	}
	return err
}

func (w *storeWatch) TicketKeys(rand io.Reader, now time.Time) ([]TicketKey, error) {
	keys, err := w.tickets.TicketKeys(rand, now)
	return keys, w.failed("ticket keys", err)
}

func (w *storeWatch) Get(key string, now time.Time) ([]byte, error) {
	v, err := w.sessions.Get(key, now)
	return v, w.failed("session store", err)
}

func (w *storeWatch) Put(key string, value []byte, now time.Time, ttl time.Duration) error {
	return w.failed("session store", w.sessions.Put(key, value, now, ttl))
}

func (w *storeWatch) FirstSeen(key []byte, now time.Time, window time.Duration) (bool, error) {
	first, err := w.replay.FirstSeen(key, now, window)
	return first, w.failed("replay store", err)
}
