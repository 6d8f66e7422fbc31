package redisstore

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/securepair/securepair/engine/enginetest"
)

// The Redis stores pass the same table as the in-memory ones (Redis keeps
// its own time, so the table sleeps to let entries expire).
func TestStoreTable(t *testing.T) {
	r := startRedis(t)
	s := r.open(Options{RotateEvery: time.Second, KeepKeys: 2, KeyRefresh: 100 * time.Millisecond})
	t.Run("ServerSessions", func(t *testing.T) { enginetest.TestSessionStore(t, s.ServerSessions(), enginetest.RealClock()) })
	t.Run("ClientSessions", func(t *testing.T) {
		clients, err := s.ClientSessions([32]byte{1})
		if err != nil {
			t.Fatal(err)
		}
		enginetest.TestSessionStore(t, clients, enginetest.RealClock())
	})
	t.Run("Replay", func(t *testing.T) { enginetest.TestReplayStore(t, s.Replay(), enginetest.RealClock()) })
	t.Run("TicketKeys", func(t *testing.T) {
		enginetest.TestTicketKeySource(t, s.TicketKeys(), time.Second, enginetest.RealClock())
	})
}

// Bad URLs are refused when opening; a malformed key entry in Redis is an
// error, not a key.
func TestOpenAndMalformedKeys(t *testing.T) {
	for _, url := range []string{"http://127.0.0.1:6379", "redis://127.0.0.1:6379/notadb"} {
		if _, err := Open(url, Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", url)
		}
	}
	for _, entry := range []string{"", "12:zz", "12:" + strings.Repeat("ab", 47), "x:" + strings.Repeat("ab", 48)} {
		if _, err := decodeKey(entry); err == nil {
			t.Errorf("decodeKey(%q) succeeded", entry)
		}
	}
	r := startRedis(t)
	s := r.open(Options{})
	ctx, cancel := s.ctx()
	defer cancel()
	if err := s.client.LPush(ctx, "securepair:ticketkeys", "garbage").Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TicketKeys().TicketKeys(rand.Reader, time.Now()); err == nil {
		t.Fatal("a garbage key entry was accepted")
	}
}

// Client sessions are sealed: a client with another key, or an entry
// changed in Redis, finds no session, while the same key finds it.
func TestClientSessionsSealed(t *testing.T) {
	r := startRedis(t)
	s := r.open(Options{})
	ours, _ := s.ClientSessions([32]byte{7})
	theirs, _ := s.ClientSessions([32]byte{8})
	now := time.Now()
	if err := ours.Put("server.test", []byte("session"), now, time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := ours.Get("server.test", now); err != nil || string(v) != "session" {
		t.Fatalf("the same key: %q, %v", v, err)
	}
	if v, err := theirs.Get("server.test", now); err != nil || v != nil {
		t.Fatalf("another key: %q, %v", v, err)
	}
	ctx, cancel := s.ctx()
	defer cancel()
	raw := s.client.Get(ctx, "securepair:client:"+hex.EncodeToString([]byte("server.test"))).Val()
	if raw == "" || strings.Contains(raw, "session") {
		t.Fatal("the entry is not sealed in Redis")
	}
	forged := []byte(raw)
	forged[len(forged)-1] ^= 1
	s.client.Set(ctx, "securepair:client:"+hex.EncodeToString([]byte("server.test")), forged, time.Minute)
	if v, err := ours.Get("server.test", now); err != nil || v != nil {
		t.Fatalf("a changed entry: %q, %v", v, err)
	}
}
