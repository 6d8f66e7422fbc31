// Package redisstore keeps securepair's session state in Redis (or Valkey),
// so that a fleet of servers shares it: ticket keys rotated on one schedule
// for all, TLS 1.2 sessions by session ID, the 0-RTT ClientHellos already
// accepted, and clients' sessions. The core module never imports it.
//
//	stores, err := redisstore.Open("redis://127.0.0.1:6379/0", redisstore.Options{})
//	stores.Configure(cfg) // TicketKeys, ServerSessionCache, EarlyDataGuard
//
// Every call is bounded by Options.Timeout. When Redis is slow or down the
// engine goes on without it: full handshakes, no 0-RTT, and an
// engine.EventStoreFailed on each connection.
package redisstore

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/securepair/securepair/engine"
)

// Options tune the stores; zero values take the defaults.
type Options struct {
	// Prefix starts every Redis key (default "securepair:"): fleets that
	// must not share state use different prefixes.
	Prefix string
	// Timeout bounds each Redis call (default 100 ms): the engine waits for
	// it inside a handshake.
	Timeout time.Duration
	// RotateEvery is the fleet's ticket key schedule (default one hour):
	// the first process to find the newest key older than this adds one.
	RotateEvery time.Duration
	// KeepKeys is how many ticket keys open tickets (default 4): a ticket
	// sealed with a key older than that no longer resumes.
	KeepKeys int
	// KeyRefresh is how long a process uses the keys it read before asking
	// Redis again (default one second).
	KeyRefresh time.Duration
}

func (o Options) withDefaults() Options {
	if o.Prefix == "" {
		o.Prefix = "securepair:"
	}
	if o.Timeout <= 0 {
		o.Timeout = 100 * time.Millisecond
	}
	if o.RotateEvery <= 0 {
		o.RotateEvery = time.Hour
	}
	if o.KeepKeys <= 0 {
		o.KeepKeys = 4
	}
	if o.KeyRefresh <= 0 {
		o.KeyRefresh = time.Second
	}
	return o
}

// Stores are the four stores on one Redis connection pool.
type Stores struct {
	client redis.UniversalClient
	opts   Options
	keys   *TicketKeys
}

// Open connects to the Redis at url: redis://[user:password@]host:port/db,
// or rediss:// for TLS to Redis. It does not wait for Redis to answer: a
// Redis that is down shows in the handshakes' events.
func Open(url string, opts Options) (*Stores, error) {
	ro, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults() // for the client's timeouts
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout = opts.Timeout, opts.Timeout, opts.Timeout
	ro.PoolTimeout = opts.Timeout
	ro.MaxRetries = -1 // a retry would double the wait inside a handshake
	return New(redis.NewClient(ro), opts), nil
}

// New makes the stores on a client of the caller's: a Sentinel failover
// client or a Cluster client (each operation touches one key). Set its
// timeouts as short as Options.Timeout, and its retries off.
func New(client redis.UniversalClient, opts Options) *Stores {
	s := &Stores{client: client, opts: opts.withDefaults()}
	s.keys = &TicketKeys{s: s}
	return s
}

// Close closes the connections to Redis.
func (s *Stores) Close() error { return s.client.Close() }

// Configure makes cfg (a server's) use the stores for tickets, TLS 1.2
// sessions and 0-RTT replay protection.
func (s *Stores) Configure(cfg *engine.Config) {
	cfg.TicketKeys, cfg.ServerSessionCache, cfg.EarlyDataGuard = s.keys, s.ServerSessions(), s.Replay()
}

// TicketKeys is the fleet's ticket key source.
func (s *Stores) TicketKeys() *TicketKeys { return s.keys }

// ServerSessions is a server's TLS 1.2 session store.
func (s *Stores) ServerSessions() engine.SessionStore { return sessions{s, s.opts.Prefix + "session:"} }

// ClientSessions is a client session store, shared by clients that should
// resume each other's sessions. A client session holds a resumption
// secret, and a forged one would let whoever knows its secret pose as the
// server, so entries are sealed with key (32 bytes, the same for every
// client sharing them; AES-256-GCM, the key name bound in): an entry that
// does not open is no session.
func (s *Stores) ClientSessions(key [32]byte) (engine.SessionStore, error) {
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return sealedSessions{sessions{s, s.opts.Prefix + "client:"}, aead}, nil
}

// sealedSessions seals what sessions keeps: nonce, then ciphertext with
// the Redis key as associated data (an entry moved to another key does
// not open).
type sealedSessions struct {
	sessions
	aead cipher.AEAD
}

func (st sealedSessions) Put(key string, value []byte, now time.Time, ttl time.Duration) error {
	nonce := make([]byte, st.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	return st.sessions.Put(key, st.aead.Seal(nonce, nonce, value, []byte(key)), now, ttl)
}

func (st sealedSessions) Get(key string, now time.Time) ([]byte, error) {
	sealed, err := st.sessions.Get(key, now)
	if err != nil || sealed == nil {
		return nil, err
	}
	n := st.aead.NonceSize()
	if len(sealed) < n {
		return nil, nil
	}
	plain, err := st.aead.Open(nil, sealed[:n], sealed[n:], []byte(key))
	if err != nil {
		return nil, nil // forged or damaged: no session (a full handshake)
	}
	return plain, nil
}

// Replay is the fleet's 0-RTT replay store.
func (s *Stores) Replay() engine.ReplayStore { return replay{s} }

func (s *Stores) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.opts.Timeout)
}

// sessions keeps encoded sessions under prefix+hex(key), expiring with
// their ttl in Redis.
type sessions struct {
	s      *Stores
	prefix string
}

func (st sessions) Get(key string, _ time.Time) ([]byte, error) {
	ctx, cancel := st.s.ctx()
	defer cancel()
	v, err := st.s.client.Get(ctx, st.prefix+hex.EncodeToString([]byte(key))).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	return v, err
}

func (st sessions) Put(key string, value []byte, _ time.Time, ttl time.Duration) error {
	ctx, cancel := st.s.ctx()
	defer cancel()
	return st.s.client.Set(ctx, st.prefix+hex.EncodeToString([]byte(key)), value, ttl).Err()
}

// replay records keys with SET NX and an expiry of the window: Redis makes
// it atomic across the fleet.
type replay struct{ s *Stores }

func (r replay) FirstSeen(key []byte, _ time.Time, window time.Duration) (bool, error) {
	ctx, cancel := r.s.ctx()
	defer cancel()
	err := r.s.client.SetArgs(ctx, r.s.opts.Prefix+"replay:"+hex.EncodeToString(key), 1,
		redis.SetArgs{Mode: "NX", TTL: window}).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil // already there
	}
	return err == nil, err
}
