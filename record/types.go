// Package record frames, protects and unprotects TLS records. It knows nothing of
// handshake messages: it turns a byte stream into records and back, and keeps the
// per-direction keys and sequence numbers.
package record

// ContentType is the TLS record content type.
type ContentType uint8

// Content types (RFC 8446 section 5.1).
const (
	TypeChangeCipherSpec ContentType = 20
	TypeAlert            ContentType = 21
	TypeHandshake        ContentType = 22
	TypeApplicationData  ContentType = 23
)

// String returns the content type's name, as in RFC 8446 section 5.1.
func (t ContentType) String() string {
	switch t {
	case TypeChangeCipherSpec:
		return "change_cipher_spec"
	case TypeAlert:
		return "alert"
	case TypeHandshake:
		return "handshake"
	case TypeApplicationData:
		return "application_data"
	}
	return "unknown content type"
}

// Known reports whether t is one of the four content types TLS 1.2 and 1.3 use.
func (t ContentType) Known() bool {
	return t >= TypeChangeCipherSpec && t <= TypeApplicationData
}

// Record size limits (RFC 8446 section 5.1 and 5.2).
const (
	HeaderLen = 5
	// MaxPlaintext is the largest fragment a record may carry.
	MaxPlaintext = 1 << 14
	// MaxCiphertext13 is the largest protected TLS 1.3 record body.
	MaxCiphertext13 = MaxPlaintext + 256
	// MaxCiphertext is the largest record body accepted from the wire in any
	// version (TLS 1.2 allows 2048 bytes of expansion).
	MaxCiphertext = MaxPlaintext + 2048
	// MaxRecord is the largest whole record, header included.
	MaxRecord = HeaderLen + MaxCiphertext
)

// Legacy record versions written in the header.
const (
	VersionTLS10 = 0x0301
	VersionTLS12 = 0x0303
)
