package handshake

import "github.com/securepair/securepair/record"

// Message is one decoded handshake message: a pointer to any message type of
// this package (*ClientHello, *ServerHello, *Finished, ...). The TLS 1.2
// messages that share a type number with a TLS 1.3 one carry a 12 suffix.
type Message interface {
	marshal() []byte
	unmarshal(raw []byte) error
}

// Marshal encodes a whole handshake message, header included.
func Marshal(m Message) []byte { return m.marshal() }

// Unmarshal decodes raw, one whole handshake message with its header, into m.
// A message of another type is unexpected_message; a malformed one is
// decode_error (both *record.AlertError). m must not be nil.
func Unmarshal(raw []byte, m Message) error {
	typ, name := messageInfo(m)
	if len(raw) < HeaderLen || MessageType(raw[0]) != typ {
		if len(raw) == 0 {
			return record.Errorf(record.AlertUnexpectedMessage, "got an empty message, want %s", name)
		}
		return record.Errorf(record.AlertUnexpectedMessage, "got handshake message %d, want %s", raw[0], name)
	}
	return m.unmarshal(raw)
}

// messageInfo returns the wire type of a message and its name.
func messageInfo(m Message) (MessageType, string) {
	switch m.(type) {
	case *ClientHello:
		return TypeClientHello, "ClientHello"
	case *ServerHello:
		return TypeServerHello, "ServerHello"
	case *NewSessionTicket:
		return TypeNewSessionTicket, "NewSessionTicket"
	case *NewSessionTicket12:
		return TypeNewSessionTicket, "NewSessionTicket"
	case *EndOfEarlyData:
		return TypeEndOfEarlyData, "EndOfEarlyData"
	case *EncryptedExtensions:
		return TypeEncryptedExtensions, "EncryptedExtensions"
	case *Certificate, *Certificate12:
		return TypeCertificate, "Certificate"
	case *CompressedCertificate:
		return TypeCompressedCertificate, "CompressedCertificate"
	case *ServerKeyExchange:
		return TypeServerKeyExchange, "ServerKeyExchange"
	case *CertificateRequest, *CertificateRequest12:
		return TypeCertificateRequest, "CertificateRequest"
	case *CertificateVerify:
		return TypeCertificateVerify, "CertificateVerify"
	case *ClientKeyExchange:
		return TypeClientKeyExchange, "ClientKeyExchange"
	case *Finished:
		return TypeFinished, "Finished"
	case *KeyUpdate:
		return TypeKeyUpdate, "KeyUpdate"
	case *NextProtocol:
		return TypeNextProtocol, "NextProtocol"
	}
	return 0, "an unknown message"
}
