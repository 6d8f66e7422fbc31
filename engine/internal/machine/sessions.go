package machine

import (
	"container/list"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"io"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// Session is a resumable TLS 1.2 session: what both sides keep to skip the
// key exchange next time.
type Session struct {
	Version   uint16
	Suite     uint16
	Master    []byte // TLS 1.2: the master secret; TLS 1.3: the resumption PSK
	Context   []byte // the server's SessionIDContext
	ALPN      string
	CreatedAt time.Time
	AgeAdd    uint32 // TLS 1.3: obfuscates the ticket age
	// MaxEarlyData is how much 0-RTT data the ticket allows (TLS 1.3).
	MaxEarlyData uint32
	// Client side only: how the server named the session and how long it
	// honours it.
	ID       []byte
	Ticket   []byte
	Lifetime time.Duration
	// The peer's authentication in the original handshake, which a
	// resumed one reports again (Node's authorized/authorizationError).
	Authorized         bool
	AuthorizationError error
	PeerCertificates   []*x509.Certificate
	VerifiedChains     [][]*x509.Certificate
}

// rememberAuth keeps the peer's authentication of a handshake in a session.
func (s *Session) rememberAuth(st *ConnectionState) *Session {
	s.Authorized, s.AuthorizationError = st.Authorized, st.AuthorizationError
	s.PeerCertificates, s.VerifiedChains = st.PeerCertificates, st.VerifiedChains
	return s
}

// restoreAuth reports a resumed session's original authentication.
func (s *Session) restoreAuth(st *ConnectionState) {
	st.Authorized, st.AuthorizationError = s.Authorized, s.AuthorizationError
	st.PeerCertificates, st.VerifiedChains = s.PeerCertificates, s.VerifiedChains
}

// marshal encodes a session for a ticket.
func (s *Session) marshal() []byte {
	var b cryptobyte.Builder
	b.AddUint16(s.Version)
	b.AddUint16(s.Suite)
	b.AddUint64(uint64(s.CreatedAt.Unix()))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.Master) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.Context) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(s.ALPN)) })
	b.AddUint32(s.AgeAdd)
	b.AddUint32(s.MaxEarlyData)
	addAuth(&b, s)
	return b.BytesOrPanic()
}

// addAuth encodes the peer's authentication: its chain, the first verified
// chain, whether it was authorized and why not.
func addAuth(b *cryptobyte.Builder, s *Session) {
	addChain := func(chain []*x509.Certificate) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range chain {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c.Raw) })
			}
		})
	}
	addChain(s.PeerCertificates)
	var verified []*x509.Certificate
	if len(s.VerifiedChains) > 0 {
		verified = s.VerifiedChains[0]
	}
	addChain(verified)
	authorized, reason, code := uint8(0), "", ""
	if s.Authorized {
		authorized = 1
	}
	if s.AuthorizationError != nil {
		reason = s.AuthorizationError.Error()
		var ce *CertificateError
		if errors.As(s.AuthorizationError, &ce) {
			code = ce.Code
		}
	}
	b.AddUint8(authorized)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(reason)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(code)) })
}

// sealedAuthError is an authorization error brought back from a ticket: its
// text as it was, and Node's code (errors.As finds the CertificateError).
type sealedAuthError struct {
	reason string
	cause  *CertificateError
}

func (e *sealedAuthError) Error() string { return e.reason }
func (e *sealedAuthError) Unwrap() error { return e.cause }

// readAuth decodes what addAuth wrote.
func readAuth(in *cryptobyte.String, s *Session) bool {
	readChain := func() ([]*x509.Certificate, bool) {
		var list cryptobyte.String
		if !in.ReadUint24LengthPrefixed(&list) {
			return nil, false
		}
		var chain []*x509.Certificate
		for !list.Empty() {
			var der cryptobyte.String
			if !list.ReadUint24LengthPrefixed(&der) {
				return nil, false
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, false
			}
			chain = append(chain, c)
		}
		return chain, true
	}
	peer, ok1 := readChain()
	verified, ok2 := readChain()
	var authorized uint8
	var reason, code cryptobyte.String
	if !ok1 || !ok2 || !in.ReadUint8(&authorized) || authorized > 1 || !in.ReadUint16LengthPrefixed(&reason) ||
		!in.ReadUint8LengthPrefixed(&code) {
		return false
	}
	s.PeerCertificates, s.Authorized = peer, authorized == 1
	if verified != nil {
		s.VerifiedChains = [][]*x509.Certificate{verified}
	}
	if len(reason) > 0 {
		s.AuthorizationError = &sealedAuthError{reason: string(reason), cause: &CertificateError{Code: string(code)}}
	}
	return true
}

func unmarshalSession(data []byte) (*Session, bool) {
	s := &Session{}
	in := cryptobyte.String(data)
	var created uint64
	var master, ctx, alpn cryptobyte.String
	if !in.ReadUint16(&s.Version) || !in.ReadUint16(&s.Suite) || !in.ReadUint64(&created) ||
		!in.ReadUint8LengthPrefixed(&master) || len(master) < 32 || !in.ReadUint8LengthPrefixed(&ctx) ||
		!in.ReadUint8LengthPrefixed(&alpn) || !in.ReadUint32(&s.AgeAdd) || !in.ReadUint32(&s.MaxEarlyData) ||
		!readAuth(&in, s) || !in.Empty() {
		return nil, false
	}
	s.CreatedAt = time.Unix(int64(created), 0)
	s.Master, s.Context, s.ALPN = append([]byte{}, master...), append([]byte{}, ctx...), string(alpn)
	return s, true
}

// lru is a bounded map with least-recently-used eviction, safe for
// concurrent use: session caches are shared by many connections.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recent
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	s   *Session
}

func newLRU(max int) *lru {
	if max <= 0 {
		max = 1024
	}
	return &lru{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (c *lru) put(key string, s *Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[key]; ok {
		e.Value.(*lruEntry).s = s
		c.order.MoveToFront(e)
		return
	}
	c.items[key] = c.order.PushFront(&lruEntry{key, s})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruEntry).key)
	}
}

func (c *lru) get(key string) *Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*lruEntry).s
}

// Len returns how many sessions the cache holds.
func (c *lru) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// ServerSessionCache keeps TLS 1.2 sessions by session ID, bounded in size.
type ServerSessionCache struct{ *lru }

// NewServerSessionCache makes a cache of at most capacity sessions (0: 1024).
func NewServerSessionCache(capacity int) *ServerSessionCache {
	return &ServerSessionCache{newLRU(capacity)}
}

// ClientSessionCache keeps sessions by server name, bounded in size.
type ClientSessionCache struct{ *lru }

// NewClientSessionCache makes a cache of at most capacity sessions (0: 1024).
func NewClientSessionCache(capacity int) *ClientSessionCache {
	return &ClientSessionCache{newLRU(capacity)}
}

// TicketKeys seal and open RFC 5077 session tickets. The newest key seals;
// older keys still open tickets until they are rotated out.
type TicketKeys struct {
	mu       sync.Mutex
	keys     []ticketKey // newest first
	rotate   time.Duration
	keep     int
	Lifetime time.Duration // how long a ticket is honoured
}

type ticketKey struct {
	name    [16]byte
	aead    cipher.AEAD
	created time.Time
}

// NewTicketKeys makes ticket keys that rotate every rotateEvery (0: one
// hour) and keep the keep newest (0: 4); a ticket lives for 7 days at most.
func NewTicketKeys(rotateEvery time.Duration, keep int) *TicketKeys {
	if rotateEvery <= 0 {
		rotateEvery = time.Hour
	}
	if keep <= 0 {
		keep = 4
	}
	return &TicketKeys{rotate: rotateEvery, keep: keep, Lifetime: 7 * 24 * time.Hour}
}

// Rotate adds a new sealing key made from rand and drops the oldest beyond keep.
func (k *TicketKeys) Rotate(rand io.Reader, now time.Time) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.rotateLocked(rand, now)
}

func (k *TicketKeys) rotateLocked(rand io.Reader, now time.Time) error {
	var material [48]byte
	if _, err := io.ReadFull(rand, material[:]); err != nil {
		return err
	}
	block, err := aes.NewCipher(material[16:])
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	nk := ticketKey{aead: aead, created: now}
	copy(nk.name[:], material[:16])
	k.keys = append([]ticketKey{nk}, k.keys...)
	if len(k.keys) > k.keep {
		k.keys = k.keys[:k.keep]
	}
	return nil
}

// seal encrypts a session into a ticket: key name, nonce, ciphertext.
func (k *TicketKeys) seal(s *Session, rand io.Reader, now time.Time) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.keys) == 0 || now.Sub(k.keys[0].created) >= k.rotate {
		if err := k.rotateLocked(rand, now); err != nil {
			return nil, err
		}
	}
	key := k.keys[0]
	nonce := make([]byte, 12)
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, err
	}
	out := append(append([]byte{}, key.name[:]...), nonce...)
	plain := s.marshal()
	if len(plain) > maxTicketPlaintext {
		// A long peer chain would not fit a ticket's 16-bit length: keep
		// the verdict, drop the certificates.
		trimmed := *s
		trimmed.PeerCertificates, trimmed.VerifiedChains = nil, nil
		plain = trimmed.marshal()
	}
	return key.aead.Seal(out, nonce, plain, key.name[:]), nil
}

// maxTicketPlaintext bounds a sealed session, so that every ticket fits the
// 16-bit length of NewSessionTicket in both versions with room to spare.
const maxTicketPlaintext = 16 << 10

var errBadTicket = errors.New("handshake: ticket does not open")

// open decrypts a ticket and checks its age.
func (k *TicketKeys) open(ticket []byte, now time.Time) (*Session, error) {
	if len(ticket) < 16+12+16 {
		return nil, errBadTicket
	}
	k.mu.Lock()
	var key *ticketKey
	for i := range k.keys {
		if hmac.Equal(k.keys[i].name[:], ticket[:16]) {
			key = &k.keys[i]
		}
	}
	k.mu.Unlock()
	if key == nil {
		return nil, errBadTicket
	}
	plain, err := key.aead.Open(nil, ticket[16:28], ticket[28:], ticket[:16])
	if err != nil {
		return nil, errBadTicket
	}
	s, ok := unmarshalSession(plain)
	if !ok || now.Sub(s.CreatedAt) > k.Lifetime || s.CreatedAt.After(now.Add(time.Minute)) {
		return nil, errBadTicket
	}
	return s, nil
}

// ReplayGuard remembers tickets that carried early data, so a replayed
// ClientHello cannot have its 0-RTT data accepted twice. It is bounded: the
// oldest entries go first, and a ticket older than the window is refused
// early data anyway (its age is checked).
type ReplayGuard struct {
	mu    sync.Mutex
	seen  map[[32]byte]time.Time
	order [][32]byte
	max   int
}

// NewReplayGuard makes a guard remembering at most capacity tickets (0: 100000).
func NewReplayGuard(capacity int) *ReplayGuard {
	if capacity <= 0 {
		capacity = 100000
	}
	return &ReplayGuard{seen: map[[32]byte]time.Time{}, max: capacity}
}

// firstUse records ticket and reports whether it was new.
func (g *ReplayGuard) firstUse(ticket []byte, now time.Time) bool {
	key := sha256.Sum256(ticket)
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.seen[key]; ok {
		return false
	}
	g.seen[key] = now
	g.order = append(g.order, key)
	if len(g.order) > g.max {
		delete(g.seen, g.order[0])
		g.order = g.order[1:]
	}
	return true
}
