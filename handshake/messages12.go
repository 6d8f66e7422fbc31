package handshake

import (
	"golang.org/x/crypto/cryptobyte"
)

// TLS 1.2 handshake message types.
const (
	TypeHelloRequest      MessageType = 0
	TypeServerKeyExchange MessageType = 12
	TypeServerHelloDone   MessageType = 14
	TypeClientKeyExchange MessageType = 16
	TypeNextProtocol      MessageType = 67
)

// Certificate12 is the TLS 1.2 Certificate message: a chain, no extensions.
type Certificate12 struct {
	Chain [][]byte
}

// marshal encodes the whole message, header included.
func (m *Certificate12) marshal() []byte {
	return marshalMessage(TypeCertificate, func(b *cryptobyte.Builder) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range m.Chain {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c) })
			}
		})
	})
}

// unmarshal decodes a whole message, header included.
func (m *Certificate12) unmarshal(raw []byte) error {
	*m = Certificate12{}
	s, err := openMessage(raw, TypeCertificate, "Certificate")
	if err != nil {
		return err
	}
	var list cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&list) || !s.Empty() {
		return decodeErr("Certificate")
	}
	for !list.Empty() {
		var c cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&c) || len(c) == 0 {
			return decodeErr("Certificate")
		}
		m.Chain = append(m.Chain, c)
	}
	return nil
}

// ServerKeyExchange carries the server's ECDHE share and its signature.
type ServerKeyExchange struct {
	Group     uint16
	Public    []byte
	Scheme    uint16
	Signature []byte
}

// SignedParams is the signed part: curve type, group, public key.
func (m *ServerKeyExchange) SignedParams() []byte {
	var b cryptobyte.Builder
	b.AddUint8(3) // named_curve
	b.AddUint16(m.Group)
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Public) })
	return b.BytesOrPanic()
}

// marshal encodes the whole message, header included.
func (m *ServerKeyExchange) marshal() []byte {
	return marshalMessage(TypeServerKeyExchange, func(b *cryptobyte.Builder) {
		b.AddBytes(m.SignedParams())
		b.AddUint16(m.Scheme)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Signature) })
	})
}

// unmarshal decodes a whole message, header included.
func (m *ServerKeyExchange) unmarshal(raw []byte) error {
	*m = ServerKeyExchange{}
	s, err := openMessage(raw, TypeServerKeyExchange, "ServerKeyExchange")
	if err != nil {
		return err
	}
	var curveType uint8
	var pub, sig cryptobyte.String
	if !s.ReadUint8(&curveType) || curveType != 3 || !s.ReadUint16(&m.Group) ||
		!s.ReadUint8LengthPrefixed(&pub) || len(pub) == 0 || !s.ReadUint16(&m.Scheme) ||
		!s.ReadUint16LengthPrefixed(&sig) || len(sig) == 0 || !s.Empty() {
		return decodeErr("ServerKeyExchange")
	}
	m.Public, m.Signature = pub, sig
	return nil
}

// ClientKeyExchange carries the client's ECDHE share or, with RSA key
// exchange (which only a client speaks, so only marshals),
// EncryptedPremaster.
type ClientKeyExchange struct {
	Public []byte
	// EncryptedPremaster, when set, is sent instead of Public (RFC 5246
	// section 7.4.7.1).
	EncryptedPremaster []byte
}

// marshal encodes the whole message, header included.
func (m *ClientKeyExchange) marshal() []byte {
	return marshalMessage(TypeClientKeyExchange, func(b *cryptobyte.Builder) {
		if m.EncryptedPremaster != nil {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.EncryptedPremaster) })
			return
		}
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Public) })
	})
}

// unmarshal decodes a whole message, header included.
func (m *ClientKeyExchange) unmarshal(raw []byte) error {
	s, err := openMessage(raw, TypeClientKeyExchange, "ClientKeyExchange")
	if err != nil {
		return err
	}
	var pub cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&pub) || len(pub) == 0 || !s.Empty() {
		return decodeErr("ClientKeyExchange")
	}
	m.Public = pub
	return nil
}

// CertificateRequest12 is the TLS 1.2 CertificateRequest.
type CertificateRequest12 struct {
	CertificateTypes    []uint8
	SignatureAlgorithms []uint16
	Authorities         [][]byte
}

// marshal encodes the whole message, header included.
func (m *CertificateRequest12) marshal() []byte {
	return marshalMessage(TypeCertificateRequest, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.CertificateTypes) })
		addUint16List(b, m.SignatureAlgorithms)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, a := range m.Authorities {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(a) })
			}
		})
	})
}

// unmarshal decodes a whole message, header included.
func (m *CertificateRequest12) unmarshal(raw []byte) error {
	*m = CertificateRequest12{}
	s, err := openMessage(raw, TypeCertificateRequest, "CertificateRequest")
	if err != nil {
		return err
	}
	var types, cas cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&types) || len(types) == 0 || !readUint16List(&s, &m.SignatureAlgorithms) ||
		!s.ReadUint16LengthPrefixed(&cas) || !s.Empty() {
		return decodeErr("CertificateRequest")
	}
	m.CertificateTypes = types
	for !cas.Empty() {
		var dn cryptobyte.String
		if !cas.ReadUint16LengthPrefixed(&dn) {
			return decodeErr("CertificateRequest")
		}
		m.Authorities = append(m.Authorities, dn)
	}
	return nil
}

// NextProtocol is NPN's encrypted choice (draft-agl-tls-nextprotoneg-03),
// padded so its length does not reveal the protocol.
type NextProtocol struct {
	Protocol string
}

// marshal encodes the whole message with its padding.
func (m *NextProtocol) marshal() []byte {
	pad := 32 - (len(m.Protocol)+2)%32
	return marshalMessage(TypeNextProtocol, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(m.Protocol)) })
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(make([]byte, pad)) })
	})
}

// unmarshal decodes a whole message, header included.
func (m *NextProtocol) unmarshal(raw []byte) error {
	s, err := openMessage(raw, TypeNextProtocol, "NextProtocol")
	if err != nil {
		return err
	}
	var proto, pad cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&proto) || !s.ReadUint8LengthPrefixed(&pad) || !s.Empty() {
		return decodeErr("NextProtocol")
	}
	m.Protocol = string(proto)
	return nil
}

// EmptyMessage encodes a message with an empty body (ServerHelloDone,
// HelloRequest).
func EmptyMessage(typ MessageType) []byte {
	return []byte{byte(typ), 0, 0, 0}
}

// NewSessionTicket12 is the TLS 1.2 (RFC 5077) NewSessionTicket.
type NewSessionTicket12 struct {
	LifetimeHint uint32
	Ticket       []byte
}

// marshal encodes the whole message, header included.
func (m *NewSessionTicket12) marshal() []byte {
	return marshalMessage(TypeNewSessionTicket, func(b *cryptobyte.Builder) {
		b.AddUint32(m.LifetimeHint)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Ticket) })
	})
}

// unmarshal decodes a whole message, header included.
func (m *NewSessionTicket12) unmarshal(raw []byte) error {
	s, err := openMessage(raw, TypeNewSessionTicket, "NewSessionTicket")
	if err != nil {
		return err
	}
	var t cryptobyte.String
	if !s.ReadUint32(&m.LifetimeHint) || !s.ReadUint16LengthPrefixed(&t) || !s.Empty() {
		return decodeErr("NewSessionTicket")
	}
	m.Ticket = t
	return nil
}
