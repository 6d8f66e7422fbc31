package handshake

import (
	"bytes"

	"golang.org/x/crypto/cryptobyte"
)

// helloRetryRandom is the Random that marks a ServerHello as a HelloRetryRequest
// (RFC 8446 section 4.1.3).
var helloRetryRandom = [32]byte{
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
}

// Downgrade sentinels a TLS 1.3 server writes at the end of its Random when it
// negotiates an older version (RFC 8446 section 4.1.3).
var (
	downgradeTLS12 = []byte{0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01}
	downgradeTLS11 = []byte{0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x00}
)

// HelloRetryRandom returns the Random of a HelloRetryRequest.
func HelloRetryRandom() [32]byte { return helloRetryRandom }

// MarkDowngradeTLS12 writes the TLS 1.2 downgrade sentinel into the last 8
// bytes of a server Random: a server that could speak TLS 1.3 does it when it
// negotiates TLS 1.2.
func MarkDowngradeTLS12(random []byte) { copy(random[len(random)-8:], downgradeTLS12) }

// ServerHello is a ServerHello or a HelloRetryRequest (same wire format).
type ServerHello struct {
	Version           uint16
	Random            [32]byte
	SessionID         []byte
	CipherSuite       uint16
	CompressionMethod uint8
	Extensions        []Extension

	SupportedVersion uint16   // 0 when absent
	KeyShare         KeyShare // ServerHello's share; zero when absent
	SelectedGroup    uint16   // HelloRetryRequest's group; 0 when absent
	Cookie           []byte
	SelectedIdentity int // -1 when no pre_shared_key

	// TLS 1.2 extensions.
	ALPN                 string
	NPNProtocols         []string // nil when absent
	RenegotiationInfo    []byte   // nil when absent
	ExtendedMasterSecret bool
	TicketAck            bool
}

// IsHelloRetryRequest reports whether the message is a HelloRetryRequest.
func (m *ServerHello) IsHelloRetryRequest() bool { return m.Random == helloRetryRandom }

// HasDowngradeSentinel reports whether Random ends with a TLS 1.2 or older
// downgrade marker.
func (m *ServerHello) HasDowngradeSentinel() bool {
	tail := m.Random[24:]
	return bytes.Equal(tail, downgradeTLS12) || bytes.Equal(tail, downgradeTLS11)
}

// marshal encodes the whole message, header included.
func (m *ServerHello) marshal() []byte {
	return marshalMessage(TypeServerHello, func(b *cryptobyte.Builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random[:])
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.SessionID) })
		b.AddUint16(m.CipherSuite)
		b.AddUint8(m.CompressionMethod)
		if m.Extensions != nil {
			addExtensions(b, m.Extensions)
		}
	})
}

// unmarshal decodes a whole ServerHello message, header included.
func (m *ServerHello) unmarshal(raw []byte) error {
	*m = ServerHello{SelectedIdentity: -1}
	s, err := openMessage(raw, TypeServerHello, "ServerHello")
	if err != nil {
		return err
	}
	var sid cryptobyte.String
	var random []byte
	if !s.ReadUint16(&m.Version) || !s.ReadBytes(&random, 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || len(sid) > 32 ||
		!s.ReadUint16(&m.CipherSuite) || !s.ReadUint8(&m.CompressionMethod) {
		return decodeErr("ServerHello")
	}
	copy(m.Random[:], random)
	m.SessionID = sid
	if m.Extensions, err = readExtensions(&s); err != nil {
		return err
	}
	if !s.Empty() {
		return decodeErr("ServerHello")
	}
	hrr := m.IsHelloRetryRequest()
	for _, e := range m.Extensions {
		if !m.decodeExtension(e, hrr) {
			return decodeErr("ServerHello extension " + ExtensionName(e.Type))
		}
	}
	return nil
}

func (m *ServerHello) decodeExtension(e Extension, hrr bool) bool {
	d := cryptobyte.String(e.Data)
	switch e.Type {
	case ExtSupportedVersions:
		return decodeUint16(d, &m.SupportedVersion)
	case ExtKeyShare:
		if hrr {
			return decodeUint16(d, &m.SelectedGroup)
		}
		return readKeyShare(&d, &m.KeyShare) && d.Empty()
	case ExtCookie:
		return decodeOpaque16(d, &m.Cookie)
	case ExtPreSharedKey:
		var id uint16
		if !decodeUint16(d, &id) {
			return false
		}
		m.SelectedIdentity = int(id)
	case ExtALPN:
		var protos []string
		if !decodeALPN(d, &protos) || len(protos) != 1 {
			return false
		}
		m.ALPN = protos[0]
	case ExtNextProtoNeg:
		return decodeNPNList(d, &m.NPNProtocols)
	case ExtRenegotiationInfo:
		return decodeOpaque8(d, &m.RenegotiationInfo)
	case ExtExtendedMasterSecret:
		m.ExtendedMasterSecret = true
		return d.Empty()
	case ExtSessionTicket:
		m.TicketAck = true
		return d.Empty()
	}
	return true
}
