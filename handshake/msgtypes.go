// Package handshake holds the TLS handshake: message and extension codecs, the
// key schedule, certificate checks, ClientHello shaping through uTLS, and the
// client and server state machines. It consumes whole handshake messages and
// reports what to send and which keys to install through a Sink; it never
// touches records or I/O.
package handshake

import (
	"github.com/securepair/securepair/record"
	"golang.org/x/crypto/cryptobyte"
)

// MessageType is a handshake message type.
type MessageType uint8

// Handshake message types (RFC 8446 section 4, RFC 5246 section 7.4).
const (
	TypeClientHello           MessageType = 1
	TypeServerHello           MessageType = 2
	TypeNewSessionTicket      MessageType = 4
	TypeEndOfEarlyData        MessageType = 5
	TypeEncryptedExtensions   MessageType = 8
	TypeCertificate           MessageType = 11
	TypeCertificateRequest    MessageType = 13
	TypeCertificateVerify     MessageType = 15
	TypeFinished              MessageType = 20
	TypeKeyUpdate             MessageType = 24
	TypeCompressedCertificate MessageType = 25 // RFC 8879
	TypeMessageHash           MessageType = 254
)

// HeaderLen is the length of a handshake message header: type and 24-bit length.
const HeaderLen = 4

// MessageLen returns the body length announced by a handshake header.
func MessageLen(header []byte) int {
	return int(header[1])<<16 | int(header[2])<<8 | int(header[3])
}

func decodeErr(what string) error {
	return record.Errorf(record.AlertDecodeError, "malformed %s", what)
}

// marshalMessage builds a whole handshake message: header and body.
func marshalMessage(typ MessageType, body func(b *cryptobyte.Builder)) []byte {
	var b cryptobyte.Builder
	b.AddUint8(uint8(typ))
	b.AddUint24LengthPrefixed(body)
	return b.BytesOrPanic()
}

// openMessage checks the header of raw and returns its body.
func openMessage(raw []byte, typ MessageType, what string) (cryptobyte.String, error) {
	if len(raw) < HeaderLen || MessageType(raw[0]) != typ || MessageLen(raw) != len(raw)-HeaderLen {
		return nil, decodeErr(what)
	}
	return cryptobyte.String(raw[HeaderLen:]), nil
}

func readUint16List(s *cryptobyte.String, out *[]uint16) bool {
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || len(list)%2 != 0 {
		return false
	}
	*out = make([]uint16, 0, len(list)/2)
	for !list.Empty() {
		var v uint16
		list.ReadUint16(&v)
		*out = append(*out, v)
	}
	return true
}

func addUint16List(b *cryptobyte.Builder, list []uint16) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, v := range list {
			b.AddUint16(v)
		}
	})
}
