package machine

import (
	"errors"
	"time"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// Traffic is the state after the handshake: it takes the post-handshake
// messages (KeyUpdate both ways, NewSessionTicket on the client) and starts
// local key updates.
type Traffic struct {
	suite       *handshake.Suite
	readSecret  []byte
	writeSecret []byte
	exporter    []byte
	isClient    bool
	tls12       bool
	sess12      *session12 // TLS 1.2: for the exporter
	// Client side: where NewSessionTickets go.
	cfg        *Config
	resumption []byte
	state      *ConnectionState
	// answerOwed: the peer asked for a KeyUpdate that is not sent yet.
	answerOwed bool
}

// AnswerKeyUpdate sends the KeyUpdate the peer asked for, if one is owed;
// the engine calls it once it has processed the input it has.
func (t *Traffic) AnswerKeyUpdate(out Sink) error {
	if !t.answerOwed {
		return nil
	}
	return t.UpdateKeys(out, false)
}

// Handle processes one post-handshake message.
func (t *Traffic) Handle(raw []byte, out Sink) (State, error) {
	if t.tls12 {
		return t.handle12(raw, out)
	}
	switch handshake.MessageType(raw[0]) {
	case handshake.TypeKeyUpdate:
		ku, err := expect[handshake.KeyUpdate](raw)
		if err != nil {
			return nil, err
		}
		t.readSecret = t.suite.NextTrafficSecret(t.readSecret)
		if err := setReadSecret(out, LevelApplication, t.suite, t.readSecret); err != nil {
			return nil, err
		}
		out.KeyUpdated(false)
		// Answered once, before our next record (RFC 8446 section 4.6.3):
		// a run of requests gets one answer, not one each.
		t.answerOwed = t.answerOwed || ku.UpdateRequested
		return t, nil
	case handshake.TypeNewSessionTicket:
		if !t.isClient {
			return nil, unexpected(raw, "KeyUpdate")
		}
		nst, err := expect[handshake.NewSessionTicket](raw)
		if err != nil {
			return nil, err
		}
		lifetime := time.Duration(min(nst.Lifetime, uint32(ticketLifetime/time.Second))) * time.Second
		out.TicketReceived(lifetime, nst.MaxEarlyData, t.storeTicket(nst, lifetime))
		return t, nil
	case handshake.TypeCertificateRequest:
		if t.isClient {
			return nil, record.Errorf(record.AlertUnexpectedMessage, "post-handshake authentication was not offered")
		}
	}
	return nil, unexpected(raw, "KeyUpdate or NewSessionTicket")
}

// handle12 declines renegotiation: a HelloRequest (client) or a
// renegotiating ClientHello (server) is answered with a no_renegotiation
// warning and the connection goes on (RFC 5746 section 4.2 and 4.4, RFC
// 5246 section 7.2.2), as OpenSSL and Node do; the engine counts such
// messages against its limit of records that carry no data.
func (t *Traffic) handle12(raw []byte, out Sink) (State, error) {
	switch handshake.MessageType(raw[0]) {
	case handshake.TypeHelloRequest:
		if t.isClient && len(raw) == handshake.HeaderLen {
			return t, out.SendWarning(record.AlertNoRenegotiation)
		}
	case handshake.TypeClientHello:
		if !t.isClient {
			if _, err := expect[handshake.ClientHello](raw); err != nil {
				return nil, err
			}
			return t, out.SendWarning(record.AlertNoRenegotiation)
		}
	}
	return nil, unexpected(raw, "nothing after a TLS 1.2 handshake")
}

// errNoKeyUpdate is returned for KeyUpdate on a TLS 1.2 connection (the
// engine refuses it before).
var errNoKeyUpdate = errors.New("machine: KeyUpdate exists only in TLS 1.3")

// UpdateKeys sends a KeyUpdate and switches the write key; requestPeer asks
// the peer to update its key too.
func (t *Traffic) UpdateKeys(out Sink, requestPeer bool) error {
	if t.tls12 {
		return errNoKeyUpdate
	}
	if err := t.updateWriteKey(out, requestPeer); err != nil {
		return err
	}
	t.answerOwed = false // any update of ours answers the peer's request
	out.KeyUpdated(true)
	return nil
}

func (t *Traffic) updateWriteKey(out Sink, requestPeer bool) error {
	if err := out.SendMessage(handshake.Marshal((&handshake.KeyUpdate{UpdateRequested: requestPeer}))); err != nil {
		return err
	}
	t.writeSecret = t.suite.NextTrafficSecret(t.writeSecret)
	return setWriteSecret(out, LevelApplication, t.suite, t.writeSecret)
}

// ExportKeyingMaterial derives keying material (RFC 5705, RFC 8446 section
// 7.5); the engine has checked the lengths against ExportLimits.
func (t *Traffic) ExportKeyingMaterial(label string, context []byte, length int) []byte {
	if t.tls12 {
		return t.sess12.exportKeyingMaterial(label, context, length)
	}
	return t.suite.ExportKeyingMaterial(t.exporter, label, context, length)
}

// ExportLimits returns the longest label, context and output an exporter
// request may have at this version.
func (t *Traffic) ExportLimits() (label, context, length int) {
	if t.tls12 {
		return 1<<16 - 1, 1<<16 - 1, 1 << 16
	}
	return 249, 1<<16 - 1, 255 * t.suite.Hash.Size()
}

// storeTicket keeps a TLS 1.3 ticket in the client's session cache and
// reports whether it did.
func (t *Traffic) storeTicket(nst *handshake.NewSessionTicket, lifetime time.Duration) bool {
	if t.cfg == nil || t.cfg.ClientSessionCache == nil || t.cfg.ServerName == "" || nst.Lifetime == 0 {
		return false
	}
	return t.cfg.putClientSession((&Session{Version: handshake.VersionTLS13, Suite: t.suite.ID,
		Master: t.suite.TicketPSK(t.resumption, nst.Nonce), ALPN: t.state.NegotiatedProtocol,
		CreatedAt: t.cfg.now(), AgeAdd: nst.AgeAdd, Ticket: append([]byte{}, nst.Ticket...),
		Lifetime: lifetime, MaxEarlyData: nst.MaxEarlyData}).rememberAuth(t.state), lifetime)
}
