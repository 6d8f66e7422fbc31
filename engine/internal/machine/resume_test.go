package machine

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"testing"
	"time"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// Resumption at both versions: a first handshake leaves a session in the
// client's cache, the second resumes it.
func TestResumption(t *testing.T) {
	cases := []struct {
		name    string
		version uint16
		setup   func(c, s *Config)
	}{
		{"TLS 1.3 ticket", handshake.VersionTLS13, func(c, s *Config) { s.TicketKeys = NewTicketKeys(time.Hour, 2) }},
		{"TLS 1.3 ticket, two issued", handshake.VersionTLS13, func(c, s *Config) { s.TicketKeys, s.TicketCount = NewTicketKeys(0, 0), 2 }},
		{"TLS 1.2 session ID", handshake.VersionTLS12, func(c, s *Config) { s.ServerSessionCache = NewSessionCache(8) }},
		{"TLS 1.2 ticket", handshake.VersionTLS12, func(c, s *Config) { s.TicketKeys = NewTicketKeys(time.Hour, 2) }},
		{"TLS 1.2 ticket with NPN", handshake.VersionTLS12, func(c, s *Config) {
			s.TicketKeys = NewTicketKeys(time.Hour, 2)
			c.NPNProtocols, s.NPNProtocols = []string{"http/1.1"}, []string{"http/1.1"}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
			c.ClientSessionCache = NewSessionCache(4)
			s.MaxVersion = tc.version
			tc.setup(c, s)
			first := handshakeOK(t, c, s)
			if first.client.out.state.DidResume || c.ClientSessionCache.(*SessionCache).Len() != 1 {
				t.Fatalf("first handshake: resumed %v, cached %d", first.client.out.state.DidResume, c.ClientSessionCache.(*SessionCache).Len())
			}
			second := handshakeOK(t, c, s)
			cs, _ := checkAgree(t, second)
			if !cs.DidResume || !cs.Authorized {
				t.Fatalf("second handshake did not resume: %+v", cs)
			}
		})
	}
}

// handshakeOK runs a complete handshake.
func handshakeOK(t *testing.T, c, s *Config) *machinePair {
	t.Helper()
	p, err := newMachinePair(t, c, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.run(); err != nil {
		t.Fatal(err)
	}
	p.traffic(t)
	return p
}

// 0-RTT: accepted with a replay guard, refused on a replayed ticket and
// without a guard; refused early data goes again as ordinary data.
func TestEarlyData(t *testing.T) {
	c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
	c.ClientSessionCache, c.EarlyData = NewSessionCache(4), true
	s.TicketKeys, s.MaxEarlyData, s.EarlyDataGuard = NewTicketKeys(time.Hour, 2), 1000, NewReplayGuard(16)
	first := handshakeOK(t, c, s)
	if n := len(first.client.out.tickets); n != 1 {
		t.Fatalf("%d tickets", n)
	}

	accepted, err := newMachinePair(t, c, s)
	if err != nil {
		t.Fatal(err)
	}
	if room := accepted.client.out.early.Room(); room != 1000 {
		t.Fatalf("early data room %d, want the ticket's 1000", room)
	}
	accepted.client.out.early.Sent([]byte("early"))
	if err := accepted.run(); err != nil {
		t.Fatal(err)
	}
	cs, ss := checkAgree(t, accepted)
	if !cs.EarlyDataAccepted || !ss.EarlyDataAccepted || accepted.client.out.early.TakeRejected() != nil {
		t.Fatalf("early data not accepted: %+v", cs)
	}

	// A ticket the guard has seen (a replayed ClientHello): the data is
	// refused, the handshake resumes all the same.
	replayed, err := newMachinePair(t, c, s)
	if err != nil {
		t.Fatal(err)
	}
	if first, _ := s.EarlyDataGuard.FirstSeen(replayed.client.binderKey(t), epoch(), replayWindow); !first {
		t.Fatal("the guard saw the new ClientHello before")
	}
	replayed.client.out.early.Sent([]byte("early"))
	if err := replayed.run(); err != nil {
		t.Fatal(err)
	}
	cs, _ = checkAgree(t, replayed)
	if cs.EarlyDataAccepted || !bytes.Equal(replayed.client.out.early.TakeRejected(), []byte("early")) || !cs.DidResume {
		t.Fatalf("replayed early data: %+v", cs)
	}
}

// binderKey is how the replay guard names a client's hello: the hash of
// its first PSK binder.
func (s *side) binderKey(t *testing.T) []byte {
	t.Helper()
	var ch handshake.ClientHello
	if err := handshake.Unmarshal(s.out.sent[0].msg, &ch); err != nil || len(ch.PSKBinders) == 0 {
		t.Fatalf("no ticket offered: %v", err)
	}
	key := sha256.Sum256(ch.PSKBinders[0])
	return key[:]
}

// KeyUpdate (RFC 8446 section 4.6.3): an update with update_requested is
// answered with the peer's own; each side reports both key changes.
func TestKeyUpdate(t *testing.T) {
	p := handshakeOK(t, clientCfg(t), serverCfg(t, certgen.ECDSAP256))
	client, server := p.traffic(t)
	if err := client.UpdateKeys(p.client.out, true); err != nil {
		t.Fatal(err)
	}
	if err := p.run(); err != nil {
		t.Fatal(err)
	}
	if got := p.client.out.keyUpdates; len(got) != 2 || !got[0] || got[1] {
		t.Fatalf("client key updates %v, want [local, peer]", got)
	}
	if got := p.server.out.keyUpdates; len(got) != 2 || got[0] || !got[1] {
		t.Fatalf("server key updates %v, want [peer, local]", got)
	}
	a, b := client.ExportKeyingMaterial("after", nil, 16), server.ExportKeyingMaterial("after", nil, 16)
	if !bytes.Equal(a, b) {
		t.Fatal("the exporter changed with the traffic keys")
	}
}

// Ticket nonces never repeat on one connection (RFC 8446 section 4.6.1),
// even past 256 tickets, and each ticket's PSK differs.
func TestTicketNoncesUnique(t *testing.T) {
	cfg := serverCfg(t, certgen.ECDSAP256)
	cfg.TicketKeys = NewTicketKeys(time.Hour, 1)
	cfg.TicketCount = 300
	var sink testSink
	suite := handshake.Suite13ByID(handshake.TLS_AES_128_GCM_SHA256)
	if err := issueTickets(cfg, suite, bytes.Repeat([]byte{1}, 32), &ConnectionState{}, &sink); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range sink.sent {
		var nst handshake.NewSessionTicket
		if err := handshake.Unmarshal(f.msg, &nst); err != nil {
			t.Fatal(err)
		}
		if seen[string(nst.Nonce)] {
			t.Fatalf("nonce %x repeated", nst.Nonce)
		}
		seen[string(nst.Nonce)] = true
	}
	if len(seen) != 300 {
		t.Fatalf("%d tickets", len(seen))
	}
}

// A resumed handshake reports the peer's authentication of the original one
// (Node's authorized and authorizationError), both roles, both versions, by
// session ID and by ticket: authorized with the same certificates and chains,
// or unauthorized with the same reason.
func TestResumedAuthentication(t *testing.T) {
	ca, _, clientCert := fixtures(t)
	other, err := certgen.NewCA("untrusted")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		version    uint16
		setup      func(c, s *Config)
		authorized bool
	}{
		{"TLS 1.3 ticket", handshake.VersionTLS13, func(c, s *Config) { s.TicketKeys = NewTicketKeys(0, 0) }, true},
		{"TLS 1.2 session ID", handshake.VersionTLS12, func(c, s *Config) { s.ServerSessionCache = NewSessionCache(4) }, true},
		{"TLS 1.2 ticket", handshake.VersionTLS12, func(c, s *Config) { s.TicketKeys = NewTicketKeys(0, 0) }, true},
		{"TLS 1.3 ticket, unauthorized", handshake.VersionTLS13, func(c, s *Config) {
			s.TicketKeys, c.RootCAs, c.InsecureAcceptUnauthorized, s.ClientCAs = NewTicketKeys(0, 0), other.Pool, true, other.Pool
		}, false},
		{"TLS 1.2 ticket, unauthorized", handshake.VersionTLS12, func(c, s *Config) {
			s.TicketKeys, c.RootCAs, c.InsecureAcceptUnauthorized, s.ClientCAs = NewTicketKeys(0, 0), other.Pool, true, other.Pool
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
			c.ClientSessionCache, c.Certificates = NewSessionCache(4), []tls.Certificate{clientCert}
			s.MaxVersion, s.ClientAuth, s.ClientCAs = tc.version, tls.RequestClientCert, ca.Pool
			tc.setup(c, s)
			first := handshakeOK(t, c, s)
			second := handshakeOK(t, c, s)
			for _, side := range []struct {
				name          string
				before, after ConnectionState
			}{
				{"client", first.client.out.state, second.client.out.state},
				{"server", first.server.out.state, second.server.out.state},
			} {
				b, a := side.before, side.after
				if !a.DidResume || a.Authorized != tc.authorized || b.Authorized != tc.authorized {
					t.Fatalf("%s: resumed %v, authorized %v then %v, want %v", side.name, a.DidResume, b.Authorized, a.Authorized, tc.authorized)
				}
				samePeer := len(a.PeerCertificates) == len(b.PeerCertificates) &&
					(len(a.PeerCertificates) == 0 || a.PeerCertificates[0].Equal(b.PeerCertificates[0]))
				if (side.name == "client" && len(a.PeerCertificates) == 0) || !samePeer ||
					len(a.VerifiedChains) != len(b.VerifiedChains) || (a.AuthorizationError == nil) != (b.AuthorizationError == nil) {
					t.Fatalf("%s: resumed authentication differs:\n%+v\n%+v", side.name, b, a)
				}
				if b.AuthorizationError != nil && a.AuthorizationError.Error() != b.AuthorizationError.Error() {
					t.Fatalf("%s: reason %q became %q", side.name, b.AuthorizationError, a.AuthorizationError)
				}
			}
		})
	}
}

// A session whose peer chain would not fit a ticket is sealed without the
// certificates (the verdict stays), so a ticket always fits its 16-bit
// length whatever chain a client sent.
func TestTicketWithLongChain(t *testing.T) {
	_, leaves, _ := fixtures(t)
	leaf, err := x509.ParseCertificate(leaves[certgen.RSA2048].Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	chain := make([]*x509.Certificate, 64) // about 50 KiB
	for i := range chain {
		chain[i] = leaf
	}
	keys := NewTicketKeys(time.Hour, 1)
	sess := &Session{Version: handshake.VersionTLS13, Suite: handshake.TLS_AES_128_GCM_SHA256, Master: make([]byte, 32),
		CreatedAt: epoch(), Authorized: true, PeerCertificates: chain}
	ticket, err := sealSession(keys, sess, rand.Reader, epoch())
	if err != nil || len(ticket) > maxTicketPlaintext+64 {
		t.Fatalf("ticket of %d bytes: %v", len(ticket), err)
	}
	back, err := openSession(keys, ticket, rand.Reader, epoch())
	if err != nil || !back.Authorized || back.PeerCertificates != nil {
		t.Fatalf("opened %+v, %v", back, err)
	}
	sess.PeerCertificates = chain[:1]
	ticket, _ = sealSession(keys, sess, rand.Reader, epoch())
	if back, err = openSession(keys, ticket, rand.Reader, epoch()); err != nil || len(back.PeerCertificates) != 1 || !back.PeerCertificates[0].Equal(leaf) {
		t.Fatalf("a short chain did not survive the ticket: %v", err)
	}
}

// A server that accepts 0-RTT data must keep the ticket's cipher suite and
// ALPN protocol; a client seeing otherwise aborts with illegal_parameter
// (RFC 8446 section 4.2.10).
func TestEarlyDataKeepsSuiteAndALPN(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(fromClient bool, msg []byte) []byte
	}{
		{"another ALPN protocol", switchALPN("http/1.1")},
		{"another cipher suite of the same hash", func(fromClient bool, msg []byte) []byte {
			if fromClient || handshake.MessageType(msg[0]) != handshake.TypeServerHello {
				return msg
			}
			var sh handshake.ServerHello
			handshake.Unmarshal(msg, &sh)
			sh.CipherSuite = handshake.TLS_CHACHA20_POLY1305_SHA256
			return handshake.Marshal(&sh)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
			c.ClientSessionCache, c.EarlyData, c.NextProtos = NewSessionCache(4), true, []string{"h2", "http/1.1"}
			s.TicketKeys, s.MaxEarlyData, s.EarlyDataGuard, s.NextProtos = NewTicketKeys(time.Hour, 2), 1000, NewReplayGuard(16), []string{"h2"}
			s.CipherSuites = []uint16{handshake.TLS_AES_128_GCM_SHA256}
			handshakeOK(t, c, s)
			p, err := newMachinePair(t, c, s)
			if err != nil {
				t.Fatal(err)
			}
			p.tamper = tc.tamper
			wantAlert(t, p.run(), record.AlertIllegalParameter)
		})
	}
}

// After a HelloRetryRequest, a second ClientHello that drops a PSK the
// retry's suite could still resume is illegal_parameter (RFC 8446 section
// 4.1.2: only incompatible PSKs may be removed); keeping it resumes.
func TestRetryKeepsPSKs(t *testing.T) {
	for _, drop := range []bool{false, true} {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		c.ClientSessionCache, s.TicketKeys = NewSessionCache(4), NewTicketKeys(time.Hour, 2)
		handshakeOK(t, c, s)
		c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}
		s.CurvePreferences = []tls.CurveID{tls.CurveP256}
		p, err := newMachinePair(t, c, s)
		if err != nil {
			t.Fatal(err)
		}
		hellos := 0
		p.tamper = func(fromClient bool, msg []byte) []byte {
			if !fromClient || handshake.MessageType(msg[0]) != handshake.TypeClientHello {
				return msg
			}
			if hellos++; hellos < 2 || !drop {
				return msg
			}
			var ch handshake.ClientHello
			handshake.Unmarshal(msg, &ch)
			ch.Extensions = without(ch.Extensions, handshake.ExtPreSharedKey)
			return handshake.Marshal(&ch)
		}
		err = p.run()
		if drop {
			wantAlert(t, err, record.AlertIllegalParameter)
			continue
		}
		if err != nil || !p.client.out.state.DidResume || !p.client.out.state.DidHelloRetry {
			t.Fatalf("retry keeping the PSK: %v, %+v", err, p.client.out.state)
		}
	}
}
