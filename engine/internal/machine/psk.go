package machine

import (
	"bytes"
	"crypto/hmac"
	"encoding/binary"
	"time"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"golang.org/x/crypto/cryptobyte"
)

// PSK key exchange modes (RFC 8446 section 4.2.9).
const (
	pskModeKE    uint8 = 0 // PSK only: no (EC)DHE, no forward secrecy
	pskModeDHEKE uint8 = 1 // PSK with (EC)DHE
)

// maxTicketAgeSkew bounds how far a client's ticket age may stray from the
// server's own measure before the ticket is refused (a replay or a stale
// clock).
const maxTicketAgeSkew = 10 * time.Second

// bindersLen is how many bytes the binders list takes at the end of a
// ClientHello.
func bindersLen(binders [][]byte) int {
	n := 2
	for _, b := range binders {
		n += 1 + len(b)
	}
	return n
}

// computeBinder is the PSK binder over prefix (the messages before this
// ClientHello, after a HelloRetryRequest) and the ClientHello truncated
// before its binders.
func computeBinder(early handshake.EarlySecret, s *handshake.Suite, prefix, truncatedHello []byte) []byte {
	t := handshake.NewTranscript(s)
	t.Add(prefix, truncatedHello)
	return s.FinishedMAC(early.BinderKey(), t.Sum())
}

// acceptPSK looks for a ticket of ours in the ClientHello that may resume
// here, checks its age and binder, and records it in c. A binder that does
// not verify is fatal; a ticket that merely does not fit is passed over.
func (s *serverExpectClientHello) acceptPSK(ch *handshake.ClientHello, raw []byte, c *serverChoice) error {
	if ch.EarlyData {
		c.earlyReason = EarlyNoTicketTaken // until a ticket is taken
	}
	if s.cfg.TicketKeys == nil || len(ch.PSKIdentities) == 0 {
		return nil
	}
	if ch.PSKModes == nil {
		return record.Errorf(record.AlertMissingExtension, "pre_shared_key without psk_key_exchange_modes")
	}
	mode := pskModeDHEKE
	switch {
	case contains(ch.PSKModes, pskModeDHEKE) && c.share != nil:
	case contains(ch.PSKModes, pskModeKE) && !contains(ch.PSKModes, pskModeDHEKE):
		mode = pskModeKE
	default:
		return nil // a HelloRetryRequest comes first, or no mode we take
	}
	now := s.cfg.now()
	for i, id := range ch.PSKIdentities {
		sess := s.cfg.openTicket(id.Identity)
		if sess == nil || sess.Version != handshake.VersionTLS13 || !bytes.Equal(sess.Context, s.cfg.SessionIDContext) {
			continue
		}
		if suite := handshake.Suite13ByID(sess.Suite); suite == nil || suite.Hash != c.suite.Hash {
			continue
		}
		clientAge := time.Duration(id.ObfuscatedTicketAge-sess.AgeAdd) * time.Millisecond
		if d := clientAge - now.Sub(sess.CreatedAt); d > maxTicketAgeSkew || d < -maxTicketAgeSkew {
			if ch.EarlyData {
				c.earlyReason = EarlyTicketTooOld
			}
			continue
		}
		var prefix []byte
		if s.retry != nil {
			prefix = s.retry.prefix
		}
		truncated := raw[:len(raw)-bindersLen(ch.PSKBinders)]
		early := handshake.NewEarlySecret(c.suite, sess.Master) // the flight's key schedule goes on from it
		if !hmac.Equal(computeBinder(early, c.suite, prefix, truncated), ch.PSKBinders[i]) {
			return record.Errorf(record.AlertDecryptError, "PSK binder does not verify")
		}
		c.psk, c.pskEarly, c.pskIndex, c.pskMode = sess, early, i, mode
		c.earlyReason = s.earlyRefusal(ch, c, sess, i)
		c.early = ch.EarlyData && c.earlyReason == ""
		return nil
	}
	return nil
}

// earlyRefusal is why the hello's 0-RTT data is not taken with the ticket
// sess (its i-th identity), or "" to take it. The replay store is asked
// last: only data that is otherwise acceptable is recorded.
func (s *serverExpectClientHello) earlyRefusal(ch *handshake.ClientHello, c *serverChoice, sess *Session, i int) EarlyDataReason {
	switch {
	case !ch.EarlyData:
		return ""
	case s.retry != nil:
		return EarlyHelloRetry
	case i != 0 || sess.MaxEarlyData == 0 || s.cfg.MaxEarlyData == 0 || s.cfg.EarlyDataGuard == nil:
		return EarlyNotAllowed
	case sess.Suite != c.suite.ID:
		return EarlySuiteChanged
	case sess.ALPN != c.alpn:
		return EarlyALPNChanged
	case !s.cfg.firstEarlyUse(ch.PSKBinders[i]):
		return EarlyReplay
	}
	return ""
}

// issueTickets sends NewSessionTicket messages after a TLS 1.3 handshake.
func issueTickets(cfg *Config, s *handshake.Suite, resumption []byte, st *ConnectionState, out Sink) error {
	n := cfg.TicketCount
	if n == 0 {
		n = 1
	}
	for i := 0; i < n; i++ {
		ageAdd, err := randomBytes(cfg.rand(), 4)
		if err != nil {
			return err
		}
		nonce := ticketNonce(i)
		sess := &Session{Version: handshake.VersionTLS13, Suite: s.ID, Master: s.TicketPSK(resumption, nonce),
			Context: cfg.SessionIDContext, ALPN: st.NegotiatedProtocol, CreatedAt: cfg.now(), AgeAdd: binary.BigEndian.Uint32(ageAdd)}
		sess.rememberAuth(st)
		if cfg.MaxEarlyData > 0 && cfg.EarlyDataGuard != nil {
			sess.MaxEarlyData = cfg.MaxEarlyData
		}
		ticket := cfg.sealTicket(sess)
		if ticket == nil {
			return nil // no key to seal with: no tickets this time
		}
		nst := &handshake.NewSessionTicket{Lifetime: uint32(ticketLifetime / time.Second), AgeAdd: sess.AgeAdd,
			Nonce: nonce, Ticket: ticket, Extensions: []handshake.Extension{}}
		if sess.MaxEarlyData > 0 {
			nst.Extensions = append(nst.Extensions, handshake.NewExtension(handshake.ExtEarlyData, func(b *cryptobyte.Builder) { b.AddUint32(sess.MaxEarlyData) }))
		}
		if err := out.SendMessage(handshake.Marshal(nst)); err != nil {
			return err
		}
	}
	return nil
}

// ticketNonce is the i-th ticket's nonce: unique across the tickets of one
// connection (RFC 8446 section 4.6.1), so it never wraps; one byte for the
// first 256 as before.
func ticketNonce(i int) []byte {
	if i < 256 {
		return []byte{byte(i)}
	}
	return binary.BigEndian.AppendUint64(nil, uint64(i))
}

// offerPSK adds a TLS 1.3 ticket to the hello as its last extension, with
// its binder.
func (c *clientShared) offerPSK(sess *Session) error {
	suite := handshake.Suite13ByID(sess.Suite)
	now := c.cfg.now()
	if now.Sub(sess.CreatedAt) > sess.Lifetime {
		c.wantedEarly(EarlyTicketTooOld)
		return nil
	}
	if suite == nil || !contains(c.hello.SupportedVersions, handshake.VersionTLS13) || !c.hello.HasExtension(handshake.ExtPSKModes) {
		c.wantedEarly(EarlyNoTicket)
		return nil
	}
	h := *c.hello
	h.Extensions = filter(c.hello.Extensions, func(e handshake.Extension) bool {
		return e.Type != handshake.ExtPreSharedKey && e.Type != handshake.ExtEarlyData
	})
	if c.cfg.EarlyData && sess.MaxEarlyData == 0 {
		c.wantedEarly(EarlyNoTicket)
	}
	if c.cfg.EarlyData && sess.MaxEarlyData > 0 {
		h.Extensions = append(h.Extensions, handshake.EmptyExt(handshake.ExtEarlyData))
		c.earlyOffered = true
	}
	age := uint32(now.Sub(sess.CreatedAt)/time.Millisecond) + sess.AgeAdd
	h.Extensions = append(h.Extensions, handshake.PreSharedKeyClientExt(
		[]handshake.PSKIdentity{{Identity: sess.Ticket, ObfuscatedTicketAge: age}}, [][]byte{make([]byte, suite.Hash.Size())}))
	raw := handshake.Marshal(&h)
	c.offeredEarly = handshake.NewEarlySecret(suite, sess.Master)
	setBinder(c.offeredEarly, suite, nil, raw)
	if err := handshake.Unmarshal(raw, &h); err != nil {
		return internal(err)
	}
	c.hello, c.helloRaw, c.offered = &h, raw, sess
	return nil
}

// setBinder computes the binder of a hello whose single PSK identity is its
// last extension, and writes it in place.
func setBinder(early handshake.EarlySecret, s *handshake.Suite, prefix, raw []byte) {
	n := s.Hash.Size()
	copy(raw[len(raw)-n:], computeBinder(early, s, prefix, raw[:len(raw)-(2+1+n)]))
}

// startEarlyData opens 0-RTT after the first ClientHello: the compatibility
// CCS goes first (RFC 8446 appendix D.4), then the early traffic key.
func (c *clientShared) startEarlyData(out Sink) error {
	suite := handshake.Suite13ByID(c.offered.Suite)
	if err := c.compatCCS(out); err != nil {
		return err
	}
	t := handshake.NewTranscript(suite)
	t.Add(c.helloRaw)
	secret := c.offeredEarly.ClientEarlyTrafficSecret(t.Sum())
	c.cfg.logKey("CLIENT_EARLY_TRAFFIC_SECRET", c.hello.Random, secret)
	if err := setWriteSecret(out, LevelEarly, suite, secret); err != nil {
		return err
	}
	out.EarlyData().Open(int(c.offered.MaxEarlyData))
	return nil
}

// earlyAnswered takes EncryptedExtensions' answer to 0-RTT. Refused: the
// data goes again later and the handshake key takes over now. Accepted: the
// early key stays until EndOfEarlyData, sent after the server's Finished.
func (c *client13) earlyAnswered(accepted bool, k *clientKeys, out Sink) error {
	if accepted {
		c.earlyAccepted = true
		return nil
	}
	c.earlyOffered = false
	c.state.EarlyDataReason = EarlyRefused
	out.EarlyData().Rejected()
	return setWriteSecret(out, LevelHandshake, k.suite, k.clientHS)
}

// wantedEarly records why a client that wants 0-RTT cannot send it.
func (c *clientShared) wantedEarly(why EarlyDataReason) {
	if c.cfg.EarlyData {
		c.state.EarlyDataReason = why
	}
}

// endEarlyData sends EndOfEarlyData under the early key and switches to the
// handshake key.
func (c *client13) endEarlyData(k *clientKeys, out Sink) error {
	eoed := handshake.Marshal((&handshake.EndOfEarlyData{}))
	k.t.Add(eoed)
	if err := out.SendMessage(eoed); err != nil {
		return err
	}
	c.state.EarlyDataAccepted = true
	out.EarlyData().Accepted()
	return setWriteSecret(out, LevelHandshake, k.suite, k.clientHS)
}

// earlySkipBudget is how much refused 0-RTT data a server skips.
func (cfg *Config) earlySkipBudget() int {
	if cfg.MaxEarlyData > 0 {
		return int(cfg.MaxEarlyData)
	}
	return 1 << 14
}

// serverExpectEndOfEarlyData takes the client's 0-RTT data (the engine
// delivers it) until EndOfEarlyData, then switches to the handshake key.
type serverExpectEndOfEarlyData struct {
	next     State
	suite    *handshake.Suite
	clientHS []byte
	t        *handshake.Transcript
}

func (s *serverExpectEndOfEarlyData) Handle(raw []byte, out Sink) (State, error) {
	if _, err := expect[handshake.EndOfEarlyData](raw); err != nil {
		return nil, err
	}
	s.t.Add(raw)
	out.EarlyData().Done()
	if err := setReadSecret(out, LevelHandshake, s.suite, s.clientHS); err != nil {
		return nil, err
	}
	return s.next, nil
}
