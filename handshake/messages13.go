package handshake

import (
	"github.com/securepair/securepair/record"

	"golang.org/x/crypto/cryptobyte"
)

// EncryptedExtensions carries the server's extensions that are not needed to
// set up keys.
type EncryptedExtensions struct {
	Extensions []Extension

	ALPN            string // "" when absent
	ServerNameAck   bool
	EarlyData       bool
	SupportedGroups []uint16
}

// marshal encodes the whole message, header included.
func (m *EncryptedExtensions) marshal() []byte {
	return marshalMessage(TypeEncryptedExtensions, func(b *cryptobyte.Builder) { addExtensions(b, m.Extensions) })
}

// unmarshal decodes a whole message, header included.
func (m *EncryptedExtensions) unmarshal(raw []byte) error {
	*m = EncryptedExtensions{}
	s, err := openMessage(raw, TypeEncryptedExtensions, "EncryptedExtensions")
	if err != nil {
		return err
	}
	if s.Empty() {
		return decodeErr("EncryptedExtensions")
	}
	if m.Extensions, err = readExtensions(&s); err != nil {
		return err
	}
	if !s.Empty() {
		return decodeErr("EncryptedExtensions")
	}
	for _, e := range m.Extensions {
		d := cryptobyte.String(e.Data)
		ok := true
		switch e.Type {
		case ExtALPN:
			var protos []string
			ok = decodeALPN(d, &protos) && len(protos) == 1
			if ok {
				m.ALPN = protos[0]
			}
		case ExtServerName:
			m.ServerNameAck = true
			ok = d.Empty()
		case ExtEarlyData:
			m.EarlyData = true
			ok = d.Empty()
		case ExtSupportedGroups:
			ok = decodeUint16List(d, &m.SupportedGroups)
		}
		if !ok {
			return decodeErr("EncryptedExtensions extension " + ExtensionName(e.Type))
		}
	}
	return nil
}

// CertificateEntry is one certificate of a TLS 1.3 Certificate message.
type CertificateEntry struct {
	Data       []byte
	Extensions []Extension
}

// Certificate is the TLS 1.3 Certificate message.
type Certificate struct {
	Context []byte
	Entries []CertificateEntry
}

// marshal encodes the whole message, header included.
func (m *Certificate) marshal() []byte {
	return marshalMessage(TypeCertificate, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Context) })
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, e := range m.Entries {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.Data) })
				addExtensions(b, e.Extensions)
			}
		})
	})
}

// unmarshal decodes a whole message, header included.
func (m *Certificate) unmarshal(raw []byte) error {
	*m = Certificate{}
	s, err := openMessage(raw, TypeCertificate, "Certificate")
	if err != nil {
		return err
	}
	var ctx, list cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&ctx) || !s.ReadUint24LengthPrefixed(&list) || !s.Empty() {
		return decodeErr("Certificate")
	}
	m.Context = ctx
	for !list.Empty() {
		var e CertificateEntry
		var data cryptobyte.String
		if !list.ReadUint24LengthPrefixed(&data) || len(data) == 0 {
			return decodeErr("Certificate entry")
		}
		e.Data = data
		var extBlock cryptobyte.String
		if !list.ReadUint16LengthPrefixed(&extBlock) {
			return decodeErr("Certificate entry")
		}
		exts, err := parseExtensions(extBlock)
		if err != nil {
			return err
		}
		e.Extensions = exts
		m.Entries = append(m.Entries, e)
	}
	return nil
}

// CertificateRequest is the TLS 1.3 CertificateRequest message.
type CertificateRequest struct {
	Context    []byte
	Extensions []Extension

	SignatureAlgorithms []uint16
	Authorities         [][]byte // certificate_authorities: DER names
}

// marshal encodes the whole message, header included.
func (m *CertificateRequest) marshal() []byte {
	return marshalMessage(TypeCertificateRequest, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Context) })
		addExtensions(b, m.Extensions)
	})
}

// unmarshal decodes a whole message, header included.
func (m *CertificateRequest) unmarshal(raw []byte) error {
	*m = CertificateRequest{}
	s, err := openMessage(raw, TypeCertificateRequest, "CertificateRequest")
	if err != nil {
		return err
	}
	var ctx cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&ctx) || s.Empty() {
		return decodeErr("CertificateRequest")
	}
	m.Context = ctx
	if m.Extensions, err = readExtensions(&s); err != nil {
		return err
	}
	if !s.Empty() {
		return decodeErr("CertificateRequest")
	}
	for _, e := range m.Extensions {
		if e.Type == ExtSignatureAlgorithms && !decodeUint16List(cryptobyte.String(e.Data), &m.SignatureAlgorithms) {
			return decodeErr("CertificateRequest signature_algorithms")
		}
		if e.Type == ExtCertificateAuthorities && !decodeCertificateAuthorities(cryptobyte.String(e.Data), &m.Authorities) {
			return decodeErr("CertificateRequest certificate_authorities")
		}
	}
	if m.SignatureAlgorithms == nil {
		return decodeErr("CertificateRequest without signature_algorithms")
	}
	return nil
}

// CertificateVerify proves possession of the certificate's private key.
type CertificateVerify struct {
	Scheme    uint16
	Signature []byte
}

// marshal encodes the whole message, header included.
func (m *CertificateVerify) marshal() []byte {
	return marshalMessage(TypeCertificateVerify, func(b *cryptobyte.Builder) {
		b.AddUint16(m.Scheme)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Signature) })
	})
}

// unmarshal decodes a whole message, header included.
func (m *CertificateVerify) unmarshal(raw []byte) error {
	*m = CertificateVerify{}
	s, err := openMessage(raw, TypeCertificateVerify, "CertificateVerify")
	if err != nil {
		return err
	}
	var sig cryptobyte.String
	if !s.ReadUint16(&m.Scheme) || !s.ReadUint16LengthPrefixed(&sig) || len(sig) == 0 || !s.Empty() {
		return decodeErr("CertificateVerify")
	}
	m.Signature = sig
	return nil
}

// Finished carries the verify_data MAC over the transcript.
type Finished struct {
	VerifyData []byte
}

// marshal encodes the whole message, header included.
func (m *Finished) marshal() []byte {
	return marshalMessage(TypeFinished, func(b *cryptobyte.Builder) { b.AddBytes(m.VerifyData) })
}

// unmarshal decodes a whole message, header included.
func (m *Finished) unmarshal(raw []byte) error {
	s, err := openMessage(raw, TypeFinished, "Finished")
	if err != nil {
		return err
	}
	m.VerifyData = s
	return nil
}

// NewSessionTicket is the TLS 1.3 post-handshake ticket message.
type NewSessionTicket struct {
	Lifetime   uint32
	AgeAdd     uint32
	Nonce      []byte
	Ticket     []byte
	Extensions []Extension

	MaxEarlyData uint32
}

// marshal encodes the whole message, header included.
func (m *NewSessionTicket) marshal() []byte {
	return marshalMessage(TypeNewSessionTicket, func(b *cryptobyte.Builder) {
		b.AddUint32(m.Lifetime)
		b.AddUint32(m.AgeAdd)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Nonce) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Ticket) })
		addExtensions(b, m.Extensions)
	})
}

// unmarshal decodes a whole message, header included.
func (m *NewSessionTicket) unmarshal(raw []byte) error {
	*m = NewSessionTicket{}
	s, err := openMessage(raw, TypeNewSessionTicket, "NewSessionTicket")
	if err != nil {
		return err
	}
	var nonce, ticket cryptobyte.String
	if !s.ReadUint32(&m.Lifetime) || !s.ReadUint32(&m.AgeAdd) || !s.ReadUint8LengthPrefixed(&nonce) ||
		!s.ReadUint16LengthPrefixed(&ticket) || len(ticket) == 0 || s.Empty() {
		return decodeErr("NewSessionTicket")
	}
	m.Nonce, m.Ticket = nonce, ticket
	if m.Extensions, err = readExtensions(&s); err != nil {
		return err
	}
	if !s.Empty() {
		return decodeErr("NewSessionTicket")
	}
	for _, e := range m.Extensions {
		if e.Type == ExtEarlyData {
			d := cryptobyte.String(e.Data)
			if !d.ReadUint32(&m.MaxEarlyData) || !d.Empty() {
				return decodeErr("NewSessionTicket early_data")
			}
		}
	}
	return nil
}

// KeyUpdate asks for (or announces) a traffic key change.
type KeyUpdate struct {
	UpdateRequested bool
}

// marshal encodes the whole message, header included.
func (m *KeyUpdate) marshal() []byte {
	return marshalMessage(TypeKeyUpdate, func(b *cryptobyte.Builder) {
		if m.UpdateRequested {
			b.AddUint8(1)
		} else {
			b.AddUint8(0)
		}
	})
}

// unmarshal decodes a whole message, header included.
func (m *KeyUpdate) unmarshal(raw []byte) error {
	s, err := openMessage(raw, TypeKeyUpdate, "KeyUpdate")
	if err != nil {
		return err
	}
	var v uint8
	if !s.ReadUint8(&v) || !s.Empty() {
		return decodeErr("KeyUpdate")
	}
	if v > 1 { // RFC 8446 section 4.6.3
		return record.Errorf(record.AlertIllegalParameter, "KeyUpdate request_update %d", v)
	}
	m.UpdateRequested = v == 1
	return nil
}

// EndOfEarlyData ends the client's 0-RTT data (an empty message).
type EndOfEarlyData struct{}

// marshal encodes the whole message, header included.
func (m *EndOfEarlyData) marshal() []byte {
	return marshalMessage(TypeEndOfEarlyData, func(*cryptobyte.Builder) {})
}

// unmarshal decodes a whole message, header included.
func (m *EndOfEarlyData) unmarshal(raw []byte) error {
	s, err := openMessage(raw, TypeEndOfEarlyData, "EndOfEarlyData")
	if err != nil {
		return err
	}
	if !s.Empty() {
		return decodeErr("EndOfEarlyData")
	}
	return nil
}

// CompressedCertificate replaces a Certificate whose body is compressed
// (RFC 8879): the algorithm, the body's length once decompressed, and the
// compressed body.
type CompressedCertificate struct {
	Algorithm          uint16
	UncompressedLength uint32 // 24 bits on the wire
	Compressed         []byte
}

func (m *CompressedCertificate) marshal() []byte {
	return marshalMessage(TypeCompressedCertificate, func(b *cryptobyte.Builder) {
		b.AddUint16(m.Algorithm)
		b.AddUint24(m.UncompressedLength)
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.Compressed) })
	})
}

func (m *CompressedCertificate) unmarshal(raw []byte) error {
	s, err := openMessage(raw, TypeCompressedCertificate, "CompressedCertificate")
	if err != nil {
		return err
	}
	var data cryptobyte.String
	if !s.ReadUint16(&m.Algorithm) || !s.ReadUint24(&m.UncompressedLength) || !s.ReadUint24LengthPrefixed(&data) ||
		len(data) == 0 || !s.Empty() {
		return decodeErr("CompressedCertificate")
	}
	m.Compressed = append([]byte{}, data...)
	return nil
}
