package machine

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// The machine tests itself: two state machines joined through test sinks
// that pass whole messages, with no records and no engine.

// flight is what one side sent: handshake messages, and ChangeCipherSpec
// records as ccs entries.
type flight struct {
	msg []byte
	ccs bool
}

// testSink is the engine as a state machine sees it, recording everything.
type testSink struct {
	sent       []flight
	warnings   []record.Alert
	state      ConnectionState
	early      EarlyData
	completed  int
	keyUpdates []bool
	tickets    []time.Duration
	readLevel  Level
	writeLevel Level
}

func (s *testSink) SendMessage(m []byte) error {
	for len(m) >= handshake.HeaderLen { // a flight may come as one buffer
		n := handshake.HeaderLen + handshake.MessageLen(m)
		s.sent = append(s.sent, flight{msg: append([]byte{}, m[:n]...)})
		m = m[n:]
	}
	return nil
}
func (s *testSink) SendChangeCipherSpec() error {
	s.sent = append(s.sent, flight{ccs: true})
	return nil
}
func (s *testSink) SendWarning(a record.Alert) error             { s.warnings = append(s.warnings, a); return nil }
func (s *testSink) SetReadKey(l Level, _ record.Protector) error { s.readLevel = l; return nil }
func (s *testSink) SetWriteKey(l Level, p record.Protector) error {
	if p != nil {
		s.writeLevel = l
	}
	return nil
}
func (s *testSink) Negotiated() *ConnectionState { return &s.state }
func (s *testSink) Complete()                    { s.completed++ }
func (s *testSink) KeyUpdated(local bool)        { s.keyUpdates = append(s.keyUpdates, local) }
func (s *testSink) TicketReceived(life time.Duration, _ uint32, _ bool) {
	s.tickets = append(s.tickets, life)
}
func (s *testSink) EarlyData() *EarlyData               { return &s.early }
func (s *testSink) EndOfFlight() error                  { return nil }
func (s *testSink) HelloSeen(ch *handshake.ClientHello) { s.state.Fingerprint = ch.Fingerprint() }

// side is one end: its current state and its sink.
type side struct {
	name  string
	st    State
	out   *testSink
	taken int // how many of out.sent the peer has taken
}

// machinePair is a client and a server machine.
type machinePair struct {
	client, server *side
	// tamper, when set, may change a message in flight.
	tamper func(fromClient bool, msg []byte) []byte
}

func newMachinePair(t testing.TB, ccfg, scfg *Config) (*machinePair, error) {
	t.Helper()
	if err := ccfg.Check(true); err != nil {
		return nil, err
	}
	if err := scfg.Check(false); err != nil {
		return nil, err
	}
	cs := &testSink{}
	c, err := StartClient(ccfg, cs)
	if err != nil {
		return nil, err
	}
	s := NewServer(scfg)
	return &machinePair{client: &side{"client", c, cs, 0}, server: &side{"server", s, &testSink{}, 0}}, nil
}

// run moves messages both ways until nothing is in flight.
func (p *machinePair) run() error {
	for {
		a, err := p.deliver(p.client, p.server)
		if err != nil {
			return err
		}
		b, err := p.deliver(p.server, p.client)
		if err != nil {
			return err
		}
		if !a && !b {
			return nil
		}
	}
}

func (p *machinePair) deliver(from, to *side) (bool, error) {
	moved := false
	for from.taken < len(from.out.sent) {
		f := from.out.sent[from.taken]
		from.taken++
		moved = true
		var next State
		var err error
		switch r, ok := to.st.(CCSReceiver); {
		case f.ccs && ok:
			next, err = r.ChangeCipherSpec(to.out)
		case f.ccs:
			continue // TLS 1.3 middlebox compatibility: the engine drops it
		default:
			msg := f.msg
			if p.tamper != nil {
				msg = p.tamper(from == p.client, msg)
			}
			next, err = to.st.Handle(msg, to.out)
		}
		if err != nil {
			return moved, fmt.Errorf("%s: %w", to.name, err)
		}
		to.st = next
	}
	if tr, ok := to.st.(*Traffic); ok && moved { // as the engine does once input is processed
		if err := tr.AnswerKeyUpdate(to.out); err != nil {
			return moved, fmt.Errorf("%s: %w", to.name, err)
		}
	}
	return moved, nil
}

// traffic returns both sides' post-handshake states.
func (p *machinePair) traffic(t testing.TB) (client, server *Traffic) {
	t.Helper()
	c, ok1 := p.client.st.(*Traffic)
	s, ok2 := p.server.st.(*Traffic)
	if !ok1 || !ok2 || p.client.out.completed != 1 || p.server.out.completed != 1 {
		t.Fatalf("handshake not complete: client %T (%d), server %T (%d)", p.client.st, p.client.out.completed, p.server.st, p.server.out.completed)
	}
	return c, s
}

var (
	fixOnce   sync.Once
	fixCA     *certgen.CA
	fixLeaves map[certgen.KeyType]tls.Certificate
	fixClient tls.Certificate
	fixErr    error
)

const serverName = "server.test"

func fixtures(t testing.TB) (*certgen.CA, map[certgen.KeyType]tls.Certificate, tls.Certificate) {
	t.Helper()
	fixOnce.Do(func() {
		if fixCA, fixErr = certgen.NewCA("machine test CA"); fixErr != nil {
			return
		}
		fixLeaves = map[certgen.KeyType]tls.Certificate{}
		for _, kt := range certgen.KeyTypes {
			if fixLeaves[kt], fixErr = fixCA.Leaf(kt, []string{serverName}, certgen.LeafOptions{}); fixErr != nil {
				return
			}
		}
		fixClient, fixErr = fixCA.Leaf(certgen.ECDSAP256, []string{"client"}, certgen.LeafOptions{Client: true})
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fixCA, fixLeaves, fixClient
}

func epoch() time.Time { return certgen.Epoch }

func clientCfg(t testing.TB) *Config {
	ca, _, _ := fixtures(t)
	return &Config{RootCAs: ca.Pool, ServerName: serverName, Time: epoch}
}

func serverCfg(t testing.TB, kt certgen.KeyType) *Config {
	_, leaves, _ := fixtures(t)
	return &Config{Certificates: []tls.Certificate{leaves[kt]}, Time: epoch}
}

func wantAlert(t *testing.T, err error, alert record.Alert) {
	t.Helper()
	var ae *record.AlertError
	if !errors.As(err, &ae) || ae.Alert != alert {
		t.Fatalf("got %v, want alert %s", err, alert)
	}
}

// checkAgree checks both sides agree on what was negotiated and can derive
// the same exported keying material.
func checkAgree(t *testing.T, p *machinePair) (cs, ss ConnectionState) {
	t.Helper()
	c, s := p.traffic(t)
	cs, ss = p.client.out.state, p.server.out.state
	if cs.Version != ss.Version || cs.CipherSuite != ss.CipherSuite || cs.Group != ss.Group ||
		cs.NegotiatedProtocol != ss.NegotiatedProtocol || cs.NPNProtocol != ss.NPNProtocol || cs.DidResume != ss.DidResume {
		t.Fatalf("client and server disagree:\n%+v\n%+v", cs, ss)
	}
	a, b := c.ExportKeyingMaterial("label", []byte("ctx"), 32), s.ExportKeyingMaterial("label", []byte("ctx"), 32)
	if !bytes.Equal(a, b) {
		t.Fatal("exported keying material differs")
	}
	return cs, ss
}

// switchALPN returns a tamper hook that changes the ALPN protocol in the
// server's EncryptedExtensions.
func switchALPN(proto string) func(bool, []byte) []byte {
	return func(fromClient bool, msg []byte) []byte {
		if fromClient || handshake.MessageType(msg[0]) != handshake.TypeEncryptedExtensions {
			return msg
		}
		var ee handshake.EncryptedExtensions
		handshake.Unmarshal(msg, &ee)
		for i, e := range ee.Extensions {
			if e.Type == handshake.ExtALPN {
				ee.Extensions[i] = handshake.ALPNExt([]string{proto})
			}
		}
		return handshake.Marshal(&ee)
	}
}
