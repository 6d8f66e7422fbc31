package machine

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"io"
	"time"
)

// The state a server keeps beyond one connection, behind interfaces so that
// a fleet can share it (the in-memory types in memstores.go are the
// defaults). The machines call them synchronously and treat any error as
// "not there": no resumption, no 0-RTT, no ticket; never a failed
// handshake.

// TicketKey seals and opens session tickets: Name travels in the ticket in
// clear to pick the key, Secret is an AES-256-GCM key.
type TicketKey struct {
	Name    [16]byte
	Secret  [32]byte
	Created time.Time
}

// TicketKeySource gives the ticket keys at now: the first seals new
// tickets, every one may open them. rand is for a source that makes its
// own keys.
type TicketKeySource interface {
	TicketKeys(rand io.Reader, now time.Time) ([]TicketKey, error)
}

// SessionStore keeps encoded sessions by key (a TLS 1.2 session ID on a
// server, a server name on a client) for ttl. Get returns nil, nil for a
// key it does not have.
type SessionStore interface {
	Get(key string, now time.Time) ([]byte, error)
	Put(key string, value []byte, now time.Time, ttl time.Duration) error
}

// ReplayStore answers, atomically for everyone sharing it, whether key is
// seen for the first time within window.
type ReplayStore interface {
	FirstSeen(key []byte, now time.Time, window time.Duration) (bool, error)
}

// ticketLifetime is how long a ticket is honoured (RFC 8446 section 4.6.1:
// at most 7 days), announced in both versions.
const ticketLifetime = 7 * 24 * time.Hour

// sessionIDLifetime is how long a TLS 1.2 session ID resumes (RFC 5246
// appendix F.1.4 suggests at most 24 hours).
const sessionIDLifetime = 24 * time.Hour

// maxStoredSession bounds what a session store may hand back: more is
// ignored, whatever the store holds.
const maxStoredSession = 64 << 10

// replayWindow is how long a 0-RTT ClientHello is remembered: a replay of
// it is acceptable only while its ticket age is within maxTicketAgeSkew of
// the truth, a window of twice that.
const replayWindow = 2 * maxTicketAgeSkew

// NewTicketKey makes a key from rand.
func NewTicketKey(rand io.Reader, now time.Time) (TicketKey, error) {
	k := TicketKey{Created: now}
	if _, err := io.ReadFull(rand, k.Name[:]); err != nil {
		return k, err
	}
	_, err := io.ReadFull(rand, k.Secret[:])
	return k, err
}

func (k *TicketKey) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.Secret[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

var errNoTicketKey = errors.New("no ticket key")

// sealSession encrypts a session with the sealing key: key name, nonce,
// ciphertext (the name is authenticated too).
func sealSession(src TicketKeySource, s *Session, rand io.Reader, now time.Time) ([]byte, error) {
	keys, err := src.TicketKeys(rand, now)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, errNoTicketKey
	}
	aead, err := keys[0].aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, 12)
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, err
	}
	out := append(append([]byte{}, keys[0].Name[:]...), nonce...)
	plain := s.marshal()
	if len(plain) > maxTicketPlaintext {
		// A long peer chain would not fit a ticket's 16-bit length: keep
		// the verdict, drop the certificates.
		trimmed := *s
		trimmed.PeerCertificates, trimmed.VerifiedChains = nil, nil
		plain = trimmed.marshal()
	}
	return aead.Seal(out, nonce, plain, keys[0].Name[:]), nil
}

// maxTicketPlaintext bounds a sealed session, so that every ticket fits the
// 16-bit length of NewSessionTicket in both versions with room to spare.
const maxTicketPlaintext = 16 << 10

var errBadTicket = errors.New("handshake: ticket does not open")

// openSession decrypts what sealSession made and checks its age.
func openSession(src TicketKeySource, sealed []byte, rand io.Reader, now time.Time) (*Session, error) {
	if len(sealed) < 16+12+16 {
		return nil, errBadTicket
	}
	keys, err := src.TicketKeys(rand, now)
	if err != nil {
		return nil, err
	}
	for i := range keys {
		if !hmac.Equal(keys[i].Name[:], sealed[:16]) {
			continue
		}
		aead, err := keys[i].aead()
		if err != nil {
			return nil, err
		}
		plain, err := aead.Open(nil, sealed[16:28], sealed[28:], sealed[:16])
		if err != nil {
			return nil, errBadTicket
		}
		s, ok := unmarshalSession(plain)
		if !ok || now.Sub(s.CreatedAt) > ticketLifetime || s.CreatedAt.After(now.Add(time.Minute)) {
			return nil, errBadTicket
		}
		return s, nil
	}
	return nil, errBadTicket
}

// sealTicket is a ticket for s, or nil when there is no key to seal it.
func (c *Config) sealTicket(s *Session) []byte {
	ticket, err := sealSession(c.TicketKeys, s, c.rand(), c.now())
	if err != nil {
		return nil
	}
	return ticket
}

// openTicket is the session in a ticket of ours, or nil.
func (c *Config) openTicket(ticket []byte) *Session {
	if c.TicketKeys == nil {
		return nil
	}
	s, err := openSession(c.TicketKeys, ticket, c.rand(), c.now())
	if err != nil {
		return nil
	}
	return s
}

// putServerSession keeps a TLS 1.2 session under its ID: sealed with the
// ticket keys when there are some (a shared store then holds nothing
// readable or forgeable), else encoded (an in-process cache only; Check
// refuses any other store without ticket keys).
func (c *Config) putServerSession(id []byte, s *Session) {
	var value []byte
	if c.TicketKeys != nil {
		value = c.sealTicket(s)
	} else {
		value = s.marshal()
	}
	if value != nil {
		_ = c.ServerSessionCache.Put(string(id), value, c.now(), sessionIDLifetime)
	}
}

// serverSession is the session kept under id, or nil.
func (c *Config) serverSession(id []byte) *Session {
	value, err := c.ServerSessionCache.Get(string(id), c.now())
	if err != nil || len(value) == 0 || len(value) > maxStoredSession {
		return nil
	}
	if c.TicketKeys != nil {
		return c.openTicket(value)
	}
	s, ok := unmarshalSession(value)
	if !ok || c.now().Sub(s.CreatedAt) > sessionIDLifetime {
		return nil
	}
	return s
}

// putClientSession keeps the session to offer to serverName next time.
func (c *Config) putClientSession(s *Session, ttl time.Duration) bool {
	return c.ClientSessionCache.Put(c.ServerName, s.marshalClient(), c.now(), ttl) == nil
}

// clientSession is the session kept for ServerName, or nil.
func (c *Config) clientSession() *Session {
	value, err := c.ClientSessionCache.Get(c.ServerName, c.now())
	if err != nil || len(value) == 0 || len(value) > maxStoredSession {
		return nil
	}
	s, _ := unmarshalClientSession(value)
	return s
}

// firstEarlyUse reports whether a 0-RTT ClientHello, named by its binder,
// is seen for the first time (RFC 8446 section 8.2); a store that fails
// says no.
func (c *Config) firstEarlyUse(binder []byte) bool {
	key := sha256.Sum256(binder)
	first, err := c.EarlyDataGuard.FirstSeen(key[:], c.now(), replayWindow)
	return err == nil && first
}
