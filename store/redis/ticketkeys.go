package redisstore

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/securepair/securepair/engine"
)

// TicketKeys is an engine.TicketKeySource whose keys live in one Redis
// list, newest first, trimmed to Options.KeepKeys. Each process reads them
// at most every Options.KeyRefresh; the first process that finds the newest
// key older than Options.RotateEvery pushes a new one, atomically, so the
// fleet rotates on one schedule. Rotate forces a rotation.
type TicketKeys struct {
	s       *Stores
	mu      sync.Mutex
	cached  []engine.TicketKey
	fetched time.Time
}

// rotateScript pushes ARGV[4] (a new key) when the list is empty or its
// newest key is at least ARGV[2] ms older than ARGV[1] (now, ms), trims the
// list to ARGV[3] keys, and returns the list.
var rotateScript = redis.NewScript(`
local head = redis.call('LINDEX', KEYS[1], 0)
local due = true
if head then
  local created = tonumber(string.match(head, '^(%d+):'))
  due = created == nil or tonumber(ARGV[1]) - created >= tonumber(ARGV[2])
end
if due then
  redis.call('LPUSH', KEYS[1], ARGV[4])
  redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
end
return redis.call('LRANGE', KEYS[1], 0, -1)
`)

// TicketKeys returns the fleet's keys, the sealing key first.
func (k *TicketKeys) TicketKeys(rand io.Reader, now time.Time) ([]engine.TicketKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cached != nil && now.Sub(k.fetched) < k.s.opts.KeyRefresh && now.Sub(k.cached[0].Created) < k.s.opts.RotateEvery {
		return k.cached, nil
	}
	return k.fetchLocked(rand, now, k.s.opts.RotateEvery)
}

// Rotate adds a new sealing key for the whole fleet now; the others see it
// within their KeyRefresh.
func (k *TicketKeys) Rotate(rand io.Reader, now time.Time) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, err := k.fetchLocked(rand, now, 0)
	return err
}

// fetchLocked runs the rotation script with a fresh candidate key, which
// Redis pushes if the newest is at least rotateAfter old.
func (k *TicketKeys) fetchLocked(rand io.Reader, now time.Time, rotateAfter time.Duration) ([]engine.TicketKey, error) {
	candidate, err := engine.NewTicketKey(rand, now)
	if err != nil {
		return nil, err
	}
	ctx, cancel := k.s.ctx()
	defer cancel()
	entries, err := rotateScript.Run(ctx, k.s.client, []string{k.s.opts.Prefix + "ticketkeys"},
		now.UnixMilli(), rotateAfter.Milliseconds(), k.s.opts.KeepKeys, encodeKey(candidate)).StringSlice()
	if err != nil {
		return nil, err
	}
	keys := make([]engine.TicketKey, 0, len(entries))
	for _, e := range entries {
		key, err := decodeKey(e)
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New("redisstore: no ticket keys in Redis")
	}
	k.cached, k.fetched = keys, now
	return keys, nil
}

// encodeKey is "created-ms:hex(name secret)".
func encodeKey(key engine.TicketKey) string {
	return strconv.FormatInt(key.Created.UnixMilli(), 10) + ":" + hex.EncodeToString(key.Name[:]) + hex.EncodeToString(key.Secret[:])
}

func decodeKey(s string) (engine.TicketKey, error) {
	var key engine.TicketKey
	created, material, ok := strings.Cut(s, ":")
	ms, err := strconv.ParseInt(created, 10, 64)
	raw, err2 := hex.DecodeString(material)
	if !ok || err != nil || err2 != nil || len(raw) != len(key.Name)+len(key.Secret) {
		return key, fmt.Errorf("redisstore: a ticket key entry in Redis is malformed")
	}
	key.Created = time.UnixMilli(ms)
	copy(key.Name[:], raw)
	copy(key.Secret[:], raw[len(key.Name):])
	return key, nil
}
