package redisstore

import (
	"crypto/rand"
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
	t.Run("ClientSessions", func(t *testing.T) { enginetest.TestSessionStore(t, s.ClientSessions(), enginetest.RealClock()) })
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
