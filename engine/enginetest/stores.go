package enginetest

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
)

// Clock is the time a store test runs on: a fake one that Advance moves
// (in-memory stores, which take the time they are given), or the real one
// with Advance sleeping (stores that keep time themselves, like Redis).
type Clock struct {
	Now     func() time.Time
	Advance func(time.Duration)
}

// FakeClock starts at start and moves only when advanced.
func FakeClock(start time.Time) Clock {
	var mu sync.Mutex
	now := start
	return Clock{
		Now:     func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
		Advance: func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) },
	}
}

// RealClock is time.Now, advanced by sleeping.
func RealClock() Clock { return Clock{Now: time.Now, Advance: time.Sleep} }

// TestSessionStore runs the SessionStore table on a fresh store: missing
// keys, round trips, overwrites, binary keys and values, expiry.
func TestSessionStore(t *testing.T, store engine.SessionStore, clock Clock) {
	t.Helper()
	prefix := fmt.Sprintf("t%d-", time.Now().UnixNano()) // keys of this run only
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"a missing key is nil without error", func(t *testing.T) {
			if v, err := store.Get(prefix+"missing", clock.Now()); v != nil || err != nil {
				t.Fatalf("got %q, %v", v, err)
			}
		}},
		{"what is put comes back", func(t *testing.T) {
			value := []byte{0, 1, 2, 0xff, 'x'}
			if err := store.Put(prefix+"a\x00b", value, clock.Now(), time.Hour); err != nil {
				t.Fatal(err)
			}
			if v, err := store.Get(prefix+"a\x00b", clock.Now()); err != nil || !bytes.Equal(v, value) {
				t.Fatalf("got %q, %v", v, err)
			}
		}},
		{"a second put replaces the first", func(t *testing.T) {
			for _, v := range []string{"first", "second"} {
				if err := store.Put(prefix+"twice", []byte(v), clock.Now(), time.Hour); err != nil {
					t.Fatal(err)
				}
			}
			if v, err := store.Get(prefix+"twice", clock.Now()); err != nil || string(v) != "second" {
				t.Fatalf("got %q, %v", v, err)
			}
		}},
		{"an entry expires after its ttl", func(t *testing.T) {
			if err := store.Put(prefix+"short", []byte("v"), clock.Now(), 200*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			clock.Advance(400 * time.Millisecond)
			if v, err := store.Get(prefix+"short", clock.Now()); v != nil || err != nil {
				t.Fatalf("after its ttl: %q, %v", v, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

// TestReplayStore runs the ReplayStore table: a key is first seen once,
// others are independent, the window ends, and of 100 concurrent callers
// with one key exactly one is first.
func TestReplayStore(t *testing.T, store engine.ReplayStore, clock Clock) {
	t.Helper()
	prefix := fmt.Sprintf("t%d-", time.Now().UnixNano())
	first := func(t *testing.T, key string, window time.Duration) bool {
		t.Helper()
		ok, err := store.FirstSeen([]byte(prefix+key), clock.Now(), window)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"first, then seen", func(t *testing.T) {
			if !first(t, "k", time.Minute) || first(t, "k", time.Minute) {
				t.Fatal("want first once, then seen")
			}
		}},
		{"keys are independent", func(t *testing.T) {
			if !first(t, "k1", time.Minute) || !first(t, "k2", time.Minute) {
				t.Fatal("a new key was seen before")
			}
		}},
		{"the window ends", func(t *testing.T) {
			if !first(t, "w", 200*time.Millisecond) {
				t.Fatal("a new key was seen before")
			}
			clock.Advance(400 * time.Millisecond)
			if !first(t, "w", 200*time.Millisecond) {
				t.Fatal("still seen after the window")
			}
		}},
		{"one of 100 concurrent callers is first", func(t *testing.T) {
			var firsts atomic.Int64
			var wg sync.WaitGroup
			for range 100 {
				wg.Go(func() {
					if ok, err := store.FirstSeen([]byte(prefix+"race"), clock.Now(), time.Minute); err == nil && ok {
						firsts.Add(1)
					}
				})
			}
			wg.Wait()
			if n := firsts.Load(); n != 1 {
				t.Fatalf("%d callers were first", n)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

// TestTicketKeySource runs the TicketKeySource table on a source that
// rotates every rotate and keeps at least two keys: distinct keys, a
// sealing key that holds until the rotation, then a new one with the old
// still opening; and a ticket sealed by an engine with it resumes.
func TestTicketKeySource(t *testing.T, src engine.TicketKeySource, rotate time.Duration, clock Clock) {
	t.Helper()
	keys := func(t *testing.T) []engine.TicketKey {
		t.Helper()
		k, err := src.TicketKeys(rand.Reader, clock.Now())
		if err != nil || len(k) == 0 {
			t.Fatalf("%d keys, %v", len(k), err)
		}
		return k
	}
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"keys are distinct", func(t *testing.T) {
			seen := map[[16]byte]bool{}
			for _, k := range keys(t) {
				if seen[k.Name] {
					t.Fatal("two keys share a name")
				}
				seen[k.Name] = true
			}
		}},
		{"the sealing key holds, then rotates; the old one still opens", func(t *testing.T) {
			before := keys(t)[0]
			if again := keys(t)[0]; again.Name != before.Name {
				t.Fatal("the sealing key changed before its rotation")
			}
			clock.Advance(rotate + rotate/2)
			after := keys(t)
			if after[0].Name == before.Name {
				t.Fatal("the sealing key did not rotate")
			}
			kept := false
			for _, k := range after[1:] {
				kept = kept || k.Name == before.Name
			}
			if !kept {
				t.Fatal("the previous key no longer opens")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
