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
		if ku.UpdateRequested {
			if err := t.UpdateKeys(out, false); err != nil {
				return nil, err
			}
		}
		return t, nil
	case handshake.TypeNewSessionTicket:
		if !t.isClient {
			return nil, unexpected(raw, "KeyUpdate")
		}
		nst, err := expect[handshake.NewSessionTicket](raw)
		if err != nil {
			return nil, err
		}
		lifetime := time.Duration(min(nst.Lifetime, uint32(ticketLifetime13/time.Second))) * time.Second
		out.TicketReceived(lifetime, nst.MaxEarlyData, t.storeTicket(nst, lifetime))
		return t, nil
	case handshake.TypeCertificateRequest:
		if t.isClient {
			return nil, record.Errorf(record.AlertUnexpectedMessage, "post-handshake authentication was not offered")
		}
	}
	return nil, unexpected(raw, "KeyUpdate or NewSessionTicket")
}

// handle12 refuses every TLS 1.2 post-handshake message: a HelloRequest is
// answered with a no_renegotiation warning (RFC 5746 section 4.2), a
// renegotiating ClientHello with a fatal one.
func (t *Traffic) handle12(raw []byte, out Sink) (State, error) {
	switch handshake.MessageType(raw[0]) {
	case handshake.TypeHelloRequest:
		if t.isClient && len(raw) == handshake.HeaderLen {
			return t, out.SendWarning(record.AlertNoRenegotiation)
		}
	case handshake.TypeClientHello:
		if !t.isClient {
			return nil, errRenegotiation()
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
	t.cfg.ClientSessionCache.put(t.cfg.ServerName, &Session{Version: handshake.VersionTLS13, Suite: t.suite.ID,
		Master: t.suite.TicketPSK(t.resumption, nst.Nonce), ALPN: t.state.NegotiatedProtocol,
		CreatedAt: t.cfg.now(), AgeAdd: nst.AgeAdd, Ticket: append([]byte{}, nst.Ticket...),
		Lifetime: lifetime, Authorized: t.state.Authorized, MaxEarlyData: nst.MaxEarlyData})
	return true
}
