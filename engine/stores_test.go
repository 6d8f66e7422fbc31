package engine_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// The in-memory stores pass the store table that every implementation
// (store/redis too) runs.
func TestMemoryStoresTable(t *testing.T) {
	clock := func() enginetest.Clock { return enginetest.FakeClock(fixedTime()) }
	t.Run("ServerSessionCache", func(t *testing.T) {
		enginetest.TestSessionStore(t, engine.NewServerSessionCache(0), clock())
	})
	t.Run("ClientSessionCache", func(t *testing.T) {
		enginetest.TestSessionStore(t, engine.NewClientSessionCache(0), clock())
	})
	t.Run("ReplayGuard", func(t *testing.T) { enginetest.TestReplayStore(t, engine.NewReplayGuard(0), clock()) })
	t.Run("TicketKeys", func(t *testing.T) {
		enginetest.TestTicketKeySource(t, engine.NewTicketKeys(time.Hour, 2), time.Hour, clock())
	})
}

// A full ReplayGuard refuses 0-RTT rather than forget a ClientHello whose
// window is still open; once windows pass it takes new ones again.
func TestReplayGuardFullRefuses(t *testing.T) {
	g := engine.NewReplayGuard(2)
	now := fixedTime()
	for _, k := range []string{"a", "b"} {
		if first, _ := g.FirstSeen([]byte(k), now, time.Minute); !first {
			t.Fatalf("%s: not first", k)
		}
	}
	if first, _ := g.FirstSeen([]byte("c"), now, time.Minute); first {
		t.Fatal("a full guard accepted a new ClientHello")
	}
	if first, _ := g.FirstSeen([]byte("c"), now.Add(2*time.Minute), time.Minute); !first {
		t.Fatal("the guard stayed full after its windows passed")
	}
}

// Keys set from outside seal and open; the keyring no longer rotates them
// itself.
func TestTicketKeysSetFromOutside(t *testing.T) {
	shared, err := engine.NewTicketKey(bytes.NewReader(make([]byte, 48)), fixedTime())
	if err != nil {
		t.Fatal(err)
	}
	a, b := engine.NewTicketKeys(time.Minute, 2), engine.NewTicketKeys(time.Minute, 2)
	for _, k := range []*engine.TicketKeys{a, b} {
		if err := k.SetKeys([]engine.TicketKey{shared}); err != nil {
			t.Fatal(err)
		}
	}
	c, s := resume13Configs(t)
	s.TicketKeys = a
	connect13(t, c, s)
	s2 := *s
	s2.TicketKeys = b
	if _, resumed := connect13(t, c, &s2); !resumed {
		t.Fatal("a ticket sealed with the shared key did not resume on the other server")
	}
	keys, _ := b.TicketKeys(nil, fixedTime().Add(time.Hour))
	if len(keys) != 1 || keys[0].Name != shared.Name {
		t.Fatal("keys set from outside were rotated")
	}
}

// failingStore fails every call, like a store whose backend is down.
type failingStore struct{}

var errDown = errors.New("backend down")

func (failingStore) Get(string, time.Time) ([]byte, error)                    { return nil, errDown }
func (failingStore) Put(string, []byte, time.Time, time.Duration) error       { return errDown }
func (failingStore) FirstSeen([]byte, time.Time, time.Duration) (bool, error) { return false, errDown }
func (failingStore) TicketKeys(io.Reader, time.Time) ([]engine.TicketKey, error) {
	return nil, errDown
}

// storeFailures drains e's events and returns its store failures.
func storeFailures(e *engine.Engine) []*engine.StoreError {
	var got []*engine.StoreError
	for ev, ok := e.NextEvent(); ok; ev, ok = e.NextEvent() {
		var se *engine.StoreError
		if ev.Kind == engine.EventStoreFailed && errors.As(ev.Err, &se) && errors.Is(ev.Err, errDown) {
			got = append(got, se)
		}
	}
	return got
}

// A store that fails never fails a handshake: it completes in full, without
// resumption or 0-RTT, and the failure is an EventStoreFailed naming the
// store, whose error unwraps to the store's.
func TestFailingStoresOnlyCostResumption(t *testing.T) {
	server := func(p *enginetest.Pair) *engine.Engine { return p.Server }
	tests := []struct {
		name    string
		version uint16
		setup   func(c, s *engine.Config)
		side    func(p *enginetest.Pair) *engine.Engine
		store   string
		resumes bool // the second handshake, by a ticket the failing store does not hold
	}{
		{"ticket keys, TLS 1.3", handshake.VersionTLS13, func(c, s *engine.Config) { s.TicketKeys = failingStore{} }, server, "ticket keys", false},
		{"ticket keys, TLS 1.2", handshake.VersionTLS12, func(c, s *engine.Config) { s.TicketKeys = failingStore{} }, server, "ticket keys", false},
		{"server session store", handshake.VersionTLS12, func(c, s *engine.Config) {
			s.ServerSessionCache, s.TicketKeys = failingStore{}, engine.NewTicketKeys(0, 0)
		}, server, "session store", true},
		{"client session store", handshake.VersionTLS13, func(c, s *engine.Config) {
			c.ClientSessionCache, s.TicketKeys = failingStore{}, engine.NewTicketKeys(0, 0)
		}, func(p *enginetest.Pair) *engine.Engine { return p.Client }, "session store", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
			c.MaxVersion, c.ClientSessionCache = tt.version, engine.NewClientSessionCache(4)
			tt.setup(c, s)
			for i, resumes := range []bool{false, tt.resumes} {
				p := handshakePair(t, c, s)
				if err := p.Write(p.Client, []byte("data")); err != nil {
					t.Fatal(err)
				}
				if p.Client.ConnectionState().DidResume != resumes {
					t.Fatalf("handshake %d: resumed %v", i, !resumes)
				}
				failures := storeFailures(tt.side(p))
				if !resumes && (len(failures) == 0 || failures[0].Store != tt.store) {
					t.Fatalf("handshake %d: store failures %v, want one from the %s", i, failures, tt.store)
				}
			}
		})
	}
}

// A replay store that fails refuses 0-RTT: the handshake resumes without it.
func TestFailingReplayStoreRefusesEarlyData(t *testing.T) {
	c, s := earlyConfigs(t)
	s.EarlyDataGuard = failingStore{}
	p, _ := earlyPair(t, c, s, []byte("early"))
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p.Server.ConnectionState().EarlyDataAccepted || !p.Server.ConnectionState().DidResume {
		t.Fatal("early data accepted without a working replay store, or no resumption")
	}
	if f := storeFailures(p.Server); len(f) != 1 || f[0].Store != "replay store" {
		t.Fatalf("store failures %v", f)
	}
}

// mapStore is a SessionStore in a map, standing for a store shared with
// other processes.
type mapStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *mapStore) Get(key string, _ time.Time) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[key], nil
}

func (s *mapStore) Put(key string, value []byte, _ time.Time, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

// A server session store other than the in-memory one needs ticket keys,
// which seal what it holds: without them the Config is refused; with them
// a client whose hello asks for no ticket resumes by session ID through
// the store, the entry is sealed with the ticket key, and a tampered entry
// does not resume.
func TestSharedSessionStoreIsSealed(t *testing.T) {
	store := &mapStore{m: map[string][]byte{}}
	c, s := resumeConfigs(t, func(s *engine.Config) { s.ServerSessionCache = store })
	if _, err := engine.NewServer(s); !errors.Is(err, engine.ErrInvalidConfig) {
		t.Fatalf("a shared store without TicketKeys: %v", err)
	}
	keys := engine.NewTicketKeys(0, 0)
	s.TicketKeys = keys
	c.ClientHelloSpec = enginetest.LegacyHello12(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, false) // no session_ticket
	if connect(t, c, s) || !connect(t, c, s) {
		t.Fatal("want a full handshake, then resumption by session ID")
	}
	sealing, _ := keys.TicketKeys(nil, fixedTime())
	if len(store.m) != 1 {
		t.Fatalf("%d entries stored", len(store.m))
	}
	for id, v := range store.m {
		if !bytes.HasPrefix(v, sealing[0].Name[:]) {
			t.Fatal("the stored session is not sealed with the ticket key")
		}
		tampered := append([]byte{}, v...)
		tampered[len(tampered)-1] ^= 1
		store.m[id] = tampered
	}
	if connect(t, c, s) {
		t.Fatal("a tampered session resumed")
	}
}

// A client's sessions survive the process: what one client's
// SessionStore was given (the engine's versioned encoding) resumes from
// another client's store holding the same bytes, as a file-backed store
// would; the ticket event says whether the server renewed a ticket.
func TestClientSessionSavedAndRestored(t *testing.T) {
	saved := &mapStore{m: map[string][]byte{}}
	c, s := resume13Configs(t)
	c.ClientSessionCache = saved
	p, _ := connect13(t, c, s)
	if ev := lastTicket(p.Client); ev == nil || ev.Renewed {
		t.Fatalf("first ticket event %+v", ev)
	}
	restored := &mapStore{m: map[string][]byte{}}
	for k, v := range saved.m {
		restored.m[k] = bytes.Clone(v) // written to a file, read back by another process
	}
	c2 := *c
	c2.ClientSessionCache = restored
	p, resumed := connect13(t, &c2, s)
	if !resumed {
		t.Fatal("the restored session did not resume")
	}
	if ev := lastTicket(p.Client); ev == nil || !ev.Renewed || !ev.Cached {
		t.Fatalf("the renewal's ticket event %+v", ev)
	}
	for k, v := range restored.m {
		if bytes.Equal(v, saved.m[k]) {
			t.Fatal("the renewed ticket did not replace the restored one")
		}
	}
}

// lastTicket is the last EventSessionTicket e reported.
func lastTicket(e *engine.Engine) *engine.SessionTicket {
	var last *engine.SessionTicket
	for ev, ok := e.NextEvent(); ok; ev, ok = e.NextEvent() {
		if ev.Kind == engine.EventSessionTicket {
			last = ev.Ticket
		}
	}
	return last
}
