package handshake

import (
	"crypto"
	_ "crypto/sha256" // register SHA-256 for crypto.Hash
	_ "crypto/sha512" // register SHA-384 for crypto.Hash

	"github.com/securepair/securepair/record"
)

// TLS versions.
const (
	VersionTLS12 uint16 = 0x0303
	VersionTLS13 uint16 = 0x0304
)

// Suite is a TLS 1.3 cipher suite: an AEAD for records and a hash for the key
// schedule.
type Suite struct {
	ID   uint16
	Name string
	Hash crypto.Hash
	AEAD record.AEADKind
}

// TLS 1.3 cipher suites (RFC 8446 appendix B.4).
const (
	TLS_AES_128_GCM_SHA256       uint16 = 0x1301
	TLS_AES_256_GCM_SHA384       uint16 = 0x1302
	TLS_CHACHA20_POLY1305_SHA256 uint16 = 0x1303
)

var suites13 = []*Suite{
	{TLS_AES_128_GCM_SHA256, "TLS_AES_128_GCM_SHA256", crypto.SHA256, record.AES128GCM},
	{TLS_CHACHA20_POLY1305_SHA256, "TLS_CHACHA20_POLY1305_SHA256", crypto.SHA256, record.ChaCha20Poly1305},
	{TLS_AES_256_GCM_SHA384, "TLS_AES_256_GCM_SHA384", crypto.SHA384, record.AES256GCM},
}

// Suite13ByID returns the TLS 1.3 suite with the given ID, or nil.
func Suite13ByID(id uint16) *Suite {
	for _, s := range suites13 {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// SuiteName returns the IANA name of a cipher suite.
func SuiteName(id uint16) string {
	if s := Suite13ByID(id); s != nil {
		return s.Name
	}
	if s := Suite12ByID(id); s != nil {
		return s.Name
	}
	return "unknown"
}

// NewProtector makes the record protector for one direction from a traffic secret.
func (s *Suite) NewProtector(secret []byte) (*record.Protector13, error) {
	key, iv := s.trafficKey(secret)
	return record.NewProtector13(s.AEAD, key, iv)
}
