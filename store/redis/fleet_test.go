package redisstore

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"errors"
	mrand "math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

const fleetHost = "fleet.test"

var (
	credsOnce sync.Once
	fleetCA   *certgen.CA
	fleetLeaf tls.Certificate
)

func credentials(t testing.TB) (*certgen.CA, tls.Certificate) {
	credsOnce.Do(func() {
		var err error
		if fleetCA, err = certgen.NewCA("fleet CA"); err != nil {
			panic(err)
		}
		if fleetLeaf, err = fleetCA.Leaf(certgen.ECDSAP256, []string{fleetHost, "localhost"}, certgen.LeafOptions{}); err != nil {
			panic(err)
		}
	})
	return fleetCA, fleetLeaf
}

// fleet is n server configs, each with its own Stores on r (as n processes
// would have), taking 0-RTT data.
func fleet(t *testing.T, r *redisServer, n int, opts Options) ([]*engine.Config, []*Stores) {
	t.Helper()
	_, leaf := credentials(t)
	var cfgs []*engine.Config
	var stores []*Stores
	for range n {
		s := r.open(opts)
		cfg := &engine.Config{Certificates: []tls.Certificate{leaf}, MaxEarlyData: 1024}
		s.Configure(cfg)
		cfgs, stores = append(cfgs, cfg), append(stores, s)
	}
	return cfgs, stores
}

// fleetClient is a client with its own session cache.
func fleetClient(t *testing.T, version uint16) *engine.Config {
	ca, _ := credentials(t)
	return &engine.Config{RootCAs: ca.Pool, ServerName: fleetHost, MaxVersion: version,
		ClientSessionCache: engine.NewClientSessionCache(4)}
}

// handshake connects c to s, moves a little data (which carries TLS 1.3
// tickets) and reports whether it resumed and the server's store failures.
func handshake(t *testing.T, c, s *engine.Config) (resumed bool, failures []error) {
	t.Helper()
	p, err := enginetest.NewPair(c, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(p.Server, []byte("ticket carrier")); err != nil {
		t.Fatal(err)
	}
	if cr, sr := p.Client.ConnectionState().DidResume, p.Server.ConnectionState().DidResume; cr != sr {
		t.Fatalf("client resumed %v, server %v", cr, sr)
	}
	for ev, ok := p.Server.NextEvent(); ok; ev, ok = p.Server.NextEvent() {
		if ev.Kind == engine.EventStoreFailed {
			failures = append(failures, ev.Err)
		}
	}
	return p.Client.ConnectionState().DidResume, failures
}

// A client that met server 1 resumes on servers 2 and 3: TLS 1.3 tickets,
// TLS 1.2 tickets, and TLS 1.2 session IDs (a hello without the ticket
// extension), all through the shared Redis.
func TestResumptionAcrossTheFleet(t *testing.T) {
	r := startRedis(t)
	servers, _ := fleet(t, r, 3, Options{})
	tests := []struct {
		name   string
		client func() *engine.Config
	}{
		{"TLS 1.3 ticket", func() *engine.Config { return fleetClient(t, engine.VersionTLS13) }},
		{"TLS 1.2 ticket", func() *engine.Config { return fleetClient(t, engine.VersionTLS12) }},
		{"TLS 1.2 session ID", func() *engine.Config {
			c := fleetClient(t, engine.VersionTLS12)
			c.ClientHelloSpec = enginetest.LegacyHello12(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, false)
			return c
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.client()
			for i, s := range servers {
				if resumed, failures := handshake(t, c, s); resumed != (i > 0) || failures != nil {
					t.Fatalf("server %d: resumed %v (want %v), store failures %v", i+1, resumed, i > 0, failures)
				}
			}
		})
	}
}

// twinClients are two clients that write the same first flight byte for
// byte (the same seed, clock and cached ticket): the second is a replay of
// the first.
func twinClients(t *testing.T, cache *engine.ClientSessionCache, seed uint64, now time.Time) (*engine.Config, *engine.Config) {
	twin := func() *engine.Config {
		c := fleetClient(t, engine.VersionTLS13)
		c.ClientSessionCache, c.EarlyData = cache, true
		c.Rand = mrand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
		c.Time = func() time.Time { return now }
		c.CurvePreferences = []tls.CurveID{tls.X25519} // ML-KEM draws its own randomness
		return c
	}
	return twin(), twin()
}

// earlyRun starts a pair whose client writes early data first, and records
// the client's first flight.
func earlyRun(t *testing.T, c, s *engine.Config) (*enginetest.Pair, *bytes.Buffer) {
	p, flight, err := enginetest.NewEarlyPair(c, s, []byte("pay 100"))
	if err != nil {
		t.Fatal(err)
	}
	return p, flight
}

// The same 0-RTT ClientHello sent to server 1 and replayed byte for byte to
// server 2 has its early data accepted once and refused once, and both
// handshakes complete; 100 times one after the other and 100 times at the
// same moment.
func TestEarlyDataReplayAcrossTheFleet(t *testing.T) {
	r := startRedis(t)
	servers, _ := fleet(t, r, 2, Options{})
	cache := engine.NewClientSessionCache(4)
	c := fleetClient(t, engine.VersionTLS13)
	c.ClientSessionCache = cache
	if resumed, _ := handshake(t, c, servers[0]); resumed {
		t.Fatal("the first handshake resumed")
	}
	for _, concurrent := range []bool{false, true} {
		for i := range 100 {
			c1, c2 := twinClients(t, cache, uint64(i)+1000*map[bool]uint64{false: 1, true: 2}[concurrent], time.Now())
			p1, flight1 := earlyRun(t, c1, servers[0])
			p2, flight2 := earlyRun(t, c2, servers[1])
			errs := make([]error, 2)
			if concurrent {
				var wg sync.WaitGroup
				wg.Go(func() { errs[0] = p1.Handshake() })
				wg.Go(func() { errs[1] = p2.Handshake() })
				wg.Wait()
			} else {
				errs[0], errs[1] = p1.Handshake(), p2.Handshake()
			}
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d (concurrent %v): %v", i, concurrent, err)
			}
			if !bytes.Equal(flight1.Bytes(), flight2.Bytes()) || flight1.Len() < 200 {
				t.Fatalf("round %d: the twins' first flights differ (%d and %d bytes)", i, flight1.Len(), flight2.Len())
			}
			accepted := 0
			for _, p := range []*enginetest.Pair{p1, p2} {
				st := p.Server.ConnectionState()
				if !st.DidResume {
					t.Fatalf("round %d: a handshake did not resume", i)
				}
				if st.EarlyDataAccepted {
					accepted++
				}
			}
			if accepted != 1 {
				t.Fatalf("round %d (concurrent %v): early data accepted %d times", i, concurrent, accepted)
			}
		}
	}
}

// A key rotated in Redis by one process is the others' sealing key within
// their refresh; a ticket sealed with a key rotated out of the kept ones
// resumes no more.
func TestKeyRotationAcrossTheFleet(t *testing.T) {
	r := startRedis(t)
	refresh := 100 * time.Millisecond
	servers, stores := fleet(t, r, 2, Options{KeepKeys: 2, KeyRefresh: refresh})
	sealingName := func(s *Stores) [16]byte {
		keys, err := s.TicketKeys().TicketKeys(rand.Reader, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return keys[0].Name
	}
	early, late := fleetClient(t, engine.VersionTLS13), fleetClient(t, engine.VersionTLS13)
	for _, c := range []*engine.Config{early, late} {
		handshake(t, c, servers[0]) // tickets sealed with the first key
	}
	first := sealingName(stores[0])

	if err := stores[0].TicketKeys().Rotate(rand.Reader, time.Now()); err != nil {
		t.Fatal(err)
	}
	second := sealingName(stores[0])
	time.Sleep(2 * refresh)
	if second == first || sealingName(stores[1]) != second {
		t.Fatal("server 2 does not seal with the key server 1 rotated in")
	}
	if resumed, _ := handshake(t, early, servers[1]); !resumed {
		t.Fatal("a ticket under the previous key did not resume")
	}

	if err := stores[0].TicketKeys().Rotate(rand.Reader, time.Now()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * refresh)
	if resumed, _ := handshake(t, late, servers[1]); resumed {
		t.Fatal("a ticket under a retired key resumed")
	}
}

// Redis stopped: handshakes still complete, in full and without 0-RTT, and
// the application hears only the store events; Redis back: resumption
// resumes.
func TestRedisDown(t *testing.T) {
	r := startRedis(t)
	refresh := 100 * time.Millisecond
	servers, _ := fleet(t, r, 2, Options{KeyRefresh: refresh, Timeout: 50 * time.Millisecond})
	cache := engine.NewClientSessionCache(4)
	c := fleetClient(t, engine.VersionTLS13)
	c.ClientSessionCache, c.EarlyData = cache, true
	handshake(t, c, servers[0])

	r.Stop()
	time.Sleep(2 * refresh) // the keys each process read have aged
	for i, s := range servers {
		p, _ := earlyRun(t, c, s)
		if err := p.Handshake(); err != nil {
			t.Fatalf("server %d with Redis down: %v", i+1, err)
		}
		st := p.Server.ConnectionState()
		if st.DidResume || st.EarlyDataAccepted {
			t.Fatalf("server %d with Redis down: resumed %v, early data %v", i+1, st.DidResume, st.EarlyDataAccepted)
		}
		failed := false
		for ev, ok := p.Server.NextEvent(); ok; ev, ok = p.Server.NextEvent() {
			var se *engine.StoreError
			failed = failed || (ev.Kind == engine.EventStoreFailed && errors.As(ev.Err, &se))
		}
		if !failed {
			t.Fatalf("server %d: no EventStoreFailed with Redis down", i+1)
		}
	}

	r.Restart()
	resumedAgain := false
	for range 5 { // a pooled connection may fail once after the restart
		if resumed, _ := handshake(t, c, servers[1]); resumed {
			resumedAgain = true
			break
		}
	}
	if !resumedAgain {
		t.Fatal("no resumption after Redis came back")
	}
}

// Clients in different processes share their sessions through Redis
// (sealed with their common key): what one client got from server 1,
// another resumes on server 2.
func TestClientSessionsAcrossProcesses(t *testing.T) {
	r := startRedis(t)
	servers, _ := fleet(t, r, 2, Options{})
	key := [32]byte{42}
	client := func() *engine.Config {
		sessions, err := r.open(Options{}).ClientSessions(key)
		if err != nil {
			t.Fatal(err)
		}
		c := fleetClient(t, engine.VersionTLS13)
		c.ClientSessionCache = sessions
		return c
	}
	if resumed, _ := handshake(t, client(), servers[0]); resumed {
		t.Fatal("the first handshake resumed")
	}
	if resumed, _ := handshake(t, client(), servers[1]); !resumed {
		t.Fatal("another client did not resume the shared session")
	}
}
