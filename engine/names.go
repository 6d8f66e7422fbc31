package engine

import (
	"fmt"
	"io"

	"github.com/securepair/securepair/engine/internal/machine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// The names a user of the engine needs from the protocol packages, so that
// programs built on it import engine alone.

// TLS versions, for Config.MinVersion and MaxVersion and ConnectionState.Version.
const (
	VersionTLS12 = handshake.VersionTLS12
	VersionTLS13 = handshake.VersionTLS13
)

// Cipher suites, for Config.CipherSuites and ConnectionState.CipherSuite.
const (
	TLS_AES_128_GCM_SHA256                        = handshake.TLS_AES_128_GCM_SHA256
	TLS_AES_256_GCM_SHA384                        = handshake.TLS_AES_256_GCM_SHA384
	TLS_CHACHA20_POLY1305_SHA256                  = handshake.TLS_CHACHA20_POLY1305_SHA256
	TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       = handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       = handshake.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
	TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         = handshake.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         = handshake.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
	TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   = handshake.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
	TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = handshake.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
)

// Legacy TLS 1.2 suites a client may list in Config.CipherSuites to reach
// old servers (never offered by default, never negotiated by a server):
// AES-CBC and 3DES with HMAC, and RSA key exchange without forward secrecy.
const (
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA    = handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
	TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA    = handshake.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA      = handshake.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
	TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA      = handshake.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
	TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 = handshake.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256   = handshake.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
	TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384   = handshake.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384
	TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA     = handshake.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
	TLS_RSA_WITH_AES_128_GCM_SHA256         = handshake.TLS_RSA_WITH_AES_128_GCM_SHA256
	TLS_RSA_WITH_AES_256_GCM_SHA384         = handshake.TLS_RSA_WITH_AES_256_GCM_SHA384
	TLS_RSA_WITH_AES_128_CBC_SHA            = handshake.TLS_RSA_WITH_AES_128_CBC_SHA
	TLS_RSA_WITH_AES_256_CBC_SHA            = handshake.TLS_RSA_WITH_AES_256_CBC_SHA
	TLS_RSA_WITH_AES_128_CBC_SHA256         = handshake.TLS_RSA_WITH_AES_128_CBC_SHA256
	TLS_RSA_WITH_AES_256_CBC_SHA256         = handshake.TLS_RSA_WITH_AES_256_CBC_SHA256
	TLS_RSA_WITH_3DES_EDE_CBC_SHA           = handshake.TLS_RSA_WITH_3DES_EDE_CBC_SHA
)

// Alert descriptions (RFC 8446 section 6), for AlertError.Alert.
const (
	AlertCloseNotify                  = record.AlertCloseNotify
	AlertUnexpectedMessage            = record.AlertUnexpectedMessage
	AlertBadRecordMAC                 = record.AlertBadRecordMAC
	AlertRecordOverflow               = record.AlertRecordOverflow
	AlertHandshakeFailure             = record.AlertHandshakeFailure
	AlertBadCertificate               = record.AlertBadCertificate
	AlertUnsupportedCertificate       = record.AlertUnsupportedCertificate
	AlertCertificateRevoked           = record.AlertCertificateRevoked
	AlertCertificateExpired           = record.AlertCertificateExpired
	AlertCertificateUnknown           = record.AlertCertificateUnknown
	AlertIllegalParameter             = record.AlertIllegalParameter
	AlertUnknownCA                    = record.AlertUnknownCA
	AlertAccessDenied                 = record.AlertAccessDenied
	AlertDecodeError                  = record.AlertDecodeError
	AlertDecryptError                 = record.AlertDecryptError
	AlertProtocolVersion              = record.AlertProtocolVersion
	AlertInsufficientSecurity         = record.AlertInsufficientSecurity
	AlertInternalError                = record.AlertInternalError
	AlertInappropriateFallback        = record.AlertInappropriateFallback
	AlertUserCanceled                 = record.AlertUserCanceled
	AlertNoRenegotiation              = record.AlertNoRenegotiation
	AlertMissingExtension             = record.AlertMissingExtension
	AlertUnsupportedExtension         = record.AlertUnsupportedExtension
	AlertUnrecognizedName             = record.AlertUnrecognizedName
	AlertBadCertificateStatusResponse = record.AlertBadCertificateStatusResponse
	AlertUnknownPSKIdentity           = record.AlertUnknownPSKIdentity
	AlertCertificateRequired          = record.AlertCertificateRequired
	AlertNoApplicationProtocol        = record.AlertNoApplicationProtocol
)

// SuiteName returns the IANA name of a cipher suite ("unknown" if it is not one of ours).
func SuiteName(id uint16) string { return handshake.SuiteName(id) }

// GroupName returns the name of a key exchange group.
func GroupName(id uint16) string { return handshake.GroupName(id) }

// ParseNPNList turns Node's length-prefixed protocol list ("\x05hello\x05world")
// into protocol names, for Config.NPNProtocols.
func ParseNPNList(wire []byte) ([]string, error) { return handshake.ParseNPNList(wire) }

// Fingerprint is a ClientHello's JA3 and JA4 (see handshake.Fingerprint).
type Fingerprint = handshake.Fingerprint

// Certificate compression algorithms (RFC 8879), for Config.CertCompression.
const (
	CertCompressionZlib   = machine.CertCompressionZlib
	CertCompressionBrotli = machine.CertCompressionBrotli
	CertCompressionZstd   = machine.CertCompressionZstd
)

// signatureSchemeNames are the IANA names of the schemes the engine knows
// (RFC 8446 section 4.2.3).
var signatureSchemeNames = map[uint16]string{
	0x0403: "ecdsa_secp256r1_sha256", 0x0503: "ecdsa_secp384r1_sha384", 0x0603: "ecdsa_secp521r1_sha512",
	0x0807: "ed25519", 0x0804: "rsa_pss_rsae_sha256", 0x0805: "rsa_pss_rsae_sha384", 0x0806: "rsa_pss_rsae_sha512",
	0x0401: "rsa_pkcs1_sha256", 0x0501: "rsa_pkcs1_sha384", 0x0601: "rsa_pkcs1_sha512",
}

// SignatureSchemeName is a signature scheme's IANA name ("ed25519",
// "rsa_pss_rsae_sha256"), or its number in hex when the engine does not
// sign or verify with it.
func SignatureSchemeName(id uint16) string {
	if name, ok := signatureSchemeNames[id]; ok {
		return name
	}
	return fmt.Sprintf("0x%04x", id)
}

// SignatureSchemeByName is the scheme SignatureSchemeName names; false for
// a name the engine does not know.
func SignatureSchemeByName(name string) (uint16, bool) {
	for id, n := range signatureSchemeNames {
		if n == name {
			return id, true
		}
	}
	return 0, false
}

// EarlyDataReason says why 0-RTT data was not taken
// (ConnectionState.EarlyDataReason).
type EarlyDataReason = machine.EarlyDataReason

// Why 0-RTT data was not taken.
const (
	EarlyNoTicket      = machine.EarlyNoTicket
	EarlyTicketTooOld  = machine.EarlyTicketTooOld
	EarlyHelloRetry    = machine.EarlyHelloRetry
	EarlyRefused       = machine.EarlyRefused
	EarlyNotAllowed    = machine.EarlyNotAllowed
	EarlyReplay        = machine.EarlyReplay
	EarlyALPNChanged   = machine.EarlyALPNChanged
	EarlySuiteChanged  = machine.EarlySuiteChanged
	EarlyNoTicketTaken = machine.EarlyNoTicketTaken
)

// EncryptedClientHelloKey is one of a server's ECH configurations
// (Config.EncryptedClientHelloKeys): the ECHConfig as published, its
// X25519 private key, and whether it is sent as a retry configuration.
type EncryptedClientHelloKey = machine.ECHKey

// NewECHKey makes an ECH configuration for publicName (the name the outer
// hello shows) with a fresh X25519 key, marked SendAsRetry.
func NewECHKey(rand io.Reader, configID uint8, publicName string) (EncryptedClientHelloKey, error) {
	return machine.NewECHKey(rand, configID, publicName)
}

// ECHRejectionError is a client's error when the server declined its
// encrypted ClientHello; RetryConfigList holds the server's current
// configurations, for Config.EncryptedClientHelloConfigList next time.
type ECHRejectionError = machine.ECHRejectionError

// ECHConfigList is the ECHConfigList clients take (crypto/tls's
// Config.EncryptedClientHelloConfigList, a DNS HTTPS record's ech) for
// keys.
func ECHConfigList(keys ...EncryptedClientHelloKey) []byte { return machine.ECHConfigList(keys) }
