package engine

import (
	"crypto/tls"
	"crypto/x509"
	"github.com/securepair/securepair/handshake"
)

// ConnectionState describes a connection as negotiated so far: each field is
// set as soon as the handshake knows it (version, suite and group from the
// ServerHello, ALPN from EncryptedExtensions or the TLS 1.2 ServerHello, peer
// certificates once they verified), and HandshakeComplete at the end.
type ConnectionState struct {
	Version            uint16      // VersionTLS12 or VersionTLS13
	CipherSuite        uint16      // e.g. TLS_AES_128_GCM_SHA256
	Group              tls.CurveID // the key exchange group; 0 for TLS 1.3 psk_ke resumption
	NegotiatedProtocol string      // ALPN
	ServerName         string      // SNI: what the client sent, what the server received
	PeerCertificates   []*x509.Certificate
	VerifiedChains     [][]*x509.Certificate
	// Authorized is true when the peer's certificate verified (Node's
	// 'authorized'). AuthorizationError says why not when it is false; it
	// holds a *CertificateError with Node's code (errors.As).
	Authorized         bool
	AuthorizationError error
	NPNProtocol        string // the protocol chosen by NPN (TLS 1.2)
	DidResume          bool
	EarlyDataAccepted  bool // 0-RTT data was sent and taken
	DidHelloRetry      bool
	// ExtendedMasterSecret: a TLS 1.2 session uses RFC 7627's master
	// secret (always true for TLS 1.3, whose key schedule has the same
	// property, and for resumed sessions).
	ExtendedMasterSecret bool
	// Fingerprint is the JA3 and JA4 of this connection's ClientHello: the
	// peer's on a server (who is connecting), our own on a client.
	Fingerprint handshake.Fingerprint
	// PeerApplicationSettings are the peer's ALPS settings for the
	// negotiated protocol, when ALPS was negotiated (Config.ApplicationSettings).
	PeerApplicationSettings []byte
	HandshakeComplete       bool
	// PeerSignatureScheme is the scheme of the peer's handshake signature
	// (CertificateVerify, or a TLS 1.2 ServerKeyExchange); 0 when it
	// signed nothing (resumption, no client certificate).
	PeerSignatureScheme uint16
	// LocalSignatureScheme is the scheme this side signed with; 0 when it
	// signed nothing.
	LocalSignatureScheme uint16
	// OCSPResponse is the OCSP response the server stapled (RFC 6066
	// section 8), as it came: checking it against the chain is the
	// caller's choice (CheckOCSP). Reported on full handshakes.
	OCSPResponse []byte
	// SignedCertificateTimestamps are the server's Certificate
	// Transparency timestamps from the TLS handshake (RFC 6962 section 3.3).
	SignedCertificateTimestamps [][]byte
	// EarlyDataReason says why 0-RTT data was not taken when it was wanted
	// (the client's Config.EarlyData; a server's: early_data in the hello):
	// EarlyNoTicket, EarlyTicketTooOld, EarlyHelloRetry, EarlyRefused (the
	// client's view), EarlyNotAllowed, EarlyReplay, EarlyALPNChanged,
	// EarlySuiteChanged, EarlyNoTicketTaken (the server's). Empty when it
	// was taken or not wanted.
	EarlyDataReason EarlyDataReason
	// ECHAccepted: the server took the client's encrypted inner hello
	// (Encrypted Client Hello); ServerName is then the inner one.
	ECHAccepted bool
}

// CryptoTLS is the state as crypto/tls reports it, for code written
// against tls.ConnectionState (net/http's Request.TLS, x/net/http2). Fields
// the engine does not have (TLSUnique) stay empty, and crypto/tls
// gives no way to fill its keying-material exporter: the result's
// ExportKeyingMaterial panics (crypto/tls calls a nil function); call
// Engine.ExportKeyingMaterial instead.
func (s ConnectionState) CryptoTLS() tls.ConnectionState {
	return tls.ConnectionState{
		Version:            s.Version,
		HandshakeComplete:  s.HandshakeComplete,
		DidResume:          s.DidResume,
		CipherSuite:        s.CipherSuite,
		CurveID:            s.Group,
		NegotiatedProtocol: s.NegotiatedProtocol,
		//lint:ignore SA1019 crypto/tls always sets it, and code may still check it
		NegotiatedProtocolIsMutual:  true,
		ServerName:                  s.ServerName,
		PeerCertificates:            s.PeerCertificates,
		VerifiedChains:              s.VerifiedChains,
		HelloRetryRequest:           s.DidHelloRetry,
		OCSPResponse:                s.OCSPResponse,
		SignedCertificateTimestamps: s.SignedCertificateTimestamps,
		ECHAccepted:                 s.ECHAccepted,
	}
}
