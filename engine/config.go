package engine

import (
	"fmt"

	"crypto/tls"
	"crypto/x509"
	"io"
	"time"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/engine/internal/machine"
	"github.com/securepair/securepair/handshake"
)

// Config configures a client or a server. Field names follow crypto/tls.Config
// where the meaning is the same. A Config may be shared by many connections
// and must not be changed once in use.
type Config struct {
	// Rand is the source of all randomness of the handshake (randoms, key
	// shares). Nil means crypto/rand. A fixed Rand replays a handshake.
	Rand io.Reader
	// Time gives the current time for certificate checks. Nil means time.Now.
	Time func() time.Time

	// Certificates are this side's certificate chains with their private keys
	// (a crypto.Signer): a server's, or a client's for servers that ask. The
	// first whose key fits the peer's signature algorithms is used.
	Certificates []tls.Certificate

	// GetCertificate, when set, picks the server's certificate from the
	// ClientHello (Node's SNICallback). Returning nil falls back to
	// Certificates; an error aborts the handshake with unrecognized_name.
	GetCertificate func(*ClientHelloInfo) (*tls.Certificate, error)

	// ClientAuth says whether a server asks for a client certificate and what
	// it does without a valid one. Unlike crypto/tls, every certificate a
	// client sends is verified against ClientCAs and the result reported in
	// ConnectionState (Authorized, AuthorizationError), as Node does:
	//   tls.NoClientCert                no request
	//   tls.RequestClientCert           request; accept anything, report (Node requestCert)
	//   tls.RequireAnyClientCert        require one; accept it even unverified, report
	//   tls.VerifyClientCertIfGiven     request; refuse one that does not verify
	//   tls.RequireAndVerifyClientCert  require a verified one (Node requestCert + rejectUnauthorized)
	ClientAuth tls.ClientAuthType
	// ClientCAs verify client certificates; nil means the system roots.
	ClientCAs *x509.CertPool

	// RootCAs verify the server's chain; nil means the system roots.
	RootCAs *x509.CertPool
	// ServerName is sent as SNI and checked against the server's certificate.
	ServerName string
	// InsecureAcceptUnauthorized lets the client finish a handshake whose
	// server certificate does not verify, reporting Authorized=false and the
	// reason in AuthorizationError (Node's rejectUnauthorized: false). The
	// CertificateVerify signature is still checked.
	InsecureAcceptUnauthorized bool

	// NextProtos lists ALPN protocols in order of preference.
	NextProtos []string
	// MinVersion and MaxVersion bound the TLS version: VersionTLS12 or
	// VersionTLS13. Zero means TLS 1.2 and TLS 1.3; older versions are never
	// spoken.
	MinVersion, MaxVersion uint16
	// RequireExtendedMasterSecret refuses a TLS 1.2 peer that does not
	// speak the extended master secret (RFC 7627) with handshake_failure.
	// Without it such a peer is served as OpenSSL, Node and crypto/tls serve
	// it, but its session is never resumed and exports no keying material
	// (the triple-handshake attack needs one or the other).
	RequireExtendedMasterSecret bool
	// CertCompression lists certificate compression algorithms (RFC 8879:
	// CertCompressionBrotli, CertCompressionZlib, CertCompressionZstd) in
	// order of preference, for TLS 1.3. A server compresses its Certificate
	// when the client offers one of them; a client offers them in its
	// default hello. Either way a client decompresses whatever its hello
	// offered (browser shapes offer brotli and zlib), within
	// MaxHandshakeMessageSize. Off when empty: compression costs the
	// server CPU on every full handshake.
	CertCompression []uint16
	// ApplicationSettings turns on ALPS (application_settings,
	// draft-vvv-tls-alps) in TLS 1.3, with this side's settings for each ALPN
	// protocol: a client offers ALPS for the NextProtos listed here (a browser
	// shape offers its own list, and sends empty settings for a protocol
	// missing here); a server answers ALPS for the negotiated protocol when it
	// is listed here. ConnectionState.PeerApplicationSettings has the peer's.
	ApplicationSettings map[string][]byte
	// CipherSuites lists TLS 1.3 and TLS 1.2 suites in order of preference;
	// nil means the AEAD ones with forward secrecy. A client may list the
	// legacy TLS 1.2 suites (AES-CBC, 3DES, RSA key exchange) to reach old
	// servers; a server never negotiates them.
	CipherSuites []uint16
	// NPNProtocols lists Next Protocol Negotiation protocols (TLS 1.2 only),
	// in order of preference (Node's NPNProtocols; see ParseNPNList for its
	// length-prefixed byte form).
	NPNProtocols []string
	// CurvePreferences lists key exchange groups in order of preference; nil
	// means X25519MLKEM768, X25519, P-256, P-384, P-521. A client sends a key share
	// for the first (and, for X25519MLKEM768, also for X25519).
	CurvePreferences []tls.CurveID

	// ClientHelloID shapes the client's hello like a browser (for example
	// utls.HelloChrome_Auto). Nil means a hello derived from this Config.
	ClientHelloID *utls.ClientHelloID
	// ClientHelloSpec gives the client's hello extension by extension and
	// overrides ClientHelloID. It is called once per connection, because uTLS
	// writes the fresh key shares into the spec it is given.
	ClientHelloSpec func() *utls.ClientHelloSpec
	// HelloShaper, when set, builds the client's hello instead of uTLS. It is
	// for callers that bring their own hello bytes (tests replaying a trace).
	HelloShaper HelloShaper

	// SessionIDContext scopes a server's TLS 1.2 sessions (Node's
	// sessionIdContext): a session made under another context is never
	// resumed.
	SessionIDContext []byte
	// ServerSessionCache, when set, lets a TLS 1.2 server resume sessions by
	// session ID (NewServerSessionCache in memory; a store shared by other
	// processes needs TicketKeys too, which seal what it holds).
	ServerSessionCache SessionStore
	// TicketKeys, when set, lets a server issue and accept session tickets,
	// sealed with rotating keys: RFC 5077 tickets in TLS 1.2,
	// NewSessionTicket and PSK resumption in TLS 1.3 (NewTicketKeys in
	// memory, or keys shared by a fleet).
	TicketKeys TicketKeySource
	// TicketCount is how many TLS 1.3 tickets a server issues after a
	// handshake (0 means 1, negative means none).
	TicketCount int
	// EarlyData lets a client send 0-RTT data (Engine.WriteEarlyData) when
	// its cached ticket allows it. Early data can be replayed by an
	// attacker: send only what is safe to repeat.
	EarlyData bool
	// MaxEarlyData lets a server accept 0-RTT data, up to this many bytes per
	// connection, but only with EarlyDataGuard set too.
	MaxEarlyData uint32
	// EarlyDataGuard refuses early data in a ClientHello seen before
	// (NewReplayGuard in memory; a fleet needs one store shared by all).
	EarlyDataGuard ReplayStore
	// ClientSessionCache, when set, lets a client resume TLS 1.2 sessions
	// and TLS 1.3 tickets, keyed by server name.
	ClientSessionCache SessionStore

	// HalfRTT lets a TLS 1.3 server send application data right after its
	// Finished, before the client's Finished arrives (RFC 8446 section
	// 4.4.4, "0.5-RTT data"): what the server writes before the handshake
	// completes goes out with its flight instead of waiting. The client
	// is not yet authenticated then (its certificate and Finished have not
	// arrived), so send only what any client may read. TLS 1.2 is not
	// affected. Tickets go out with the flight too when the client's
	// Finished is predictable (no client certificate requested, no 0-RTT,
	// no ALPS); otherwise they follow the client's Finished.
	HalfRTT bool

	// EncryptedClientHelloKeys, on a server, are its Encrypted Client Hello
	// configurations (draft-ietf-tls-esni): a client's inner hello
	// encrypted to one of them is decrypted and the handshake runs with it
	// (ConnectionState.ECHAccepted, ServerName the inner one); an offer none
	// of them opens goes on with the outer hello, and the keys marked
	// SendAsRetry go back as retry configurations. NewECHKey makes one;
	// ECHConfigList publishes them. X25519 HKDF-SHA256 only; a
	// HelloRetryRequest keeps the inner hello (its confirmation in the
	// request, the second inner hello opened with the same HPKE context).
	EncryptedClientHelloKeys []EncryptedClientHelloKey
	// EncryptedClientHelloConfigList, on a client, is the server's
	// ECHConfigList (from its DNS HTTPS record, or an ECHRejectionError's
	// RetryConfigList): the real hello (ServerName, ALPN) goes encrypted
	// inside an outer hello naming the configuration's public name. If the
	// server declines it, the handshake authenticates the server for the
	// public name and then fails with an *ECHRejectionError carrying the
	// server's retry configurations. TLS 1.3 only; the inner hello is
	// derived from the Config, the outer one is a ClientHelloID shape's
	// when set (its GREASE ECH replaced); no resumption or 0-RTT alongside
	// yet.
	EncryptedClientHelloConfigList []byte

	// SignatureSchemes, when set, restricts and orders the signature
	// schemes this side signs its handshake with and accepts from the peer,
	// both roles and versions (client certificates and CertificateRequest's
	// list included), and a derived ClientHello offers them. PKCS#1 v1.5
	// and SHA-1 schemes are never used in TLS 1.3. Nil keeps the defaults:
	// ECDSA, Ed25519 and RSA-PSS, and PKCS#1 v1.5 in TLS 1.2 only.
	SignatureSchemes []uint16

	// VerifyPeerCertificate, when set, is called once per handshake, full
	// or resumed, after the peer's Finished verified, with the peer's DER
	// certificates and the chains that verified them (nil when none did and
	// InsecureAcceptUnauthorized let the handshake go on, or when a server
	// asked for a client certificate and got none). A server calls it only
	// when ClientAuth asks for certificates. Unlike crypto/tls it runs on
	// resumed handshakes too, with the certificates the session kept. Its
	// error fails the handshake: the peer gets bad_certificate (or the alert
	// of an *AlertError the error wraps), and the caller's error unwraps to
	// it.
	VerifyPeerCertificate func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error
	// VerifyConnection, when set, is called once per handshake, full or
	// resumed, both roles, after the peer's Finished verified, with the state
	// negotiated; its error fails the handshake as VerifyPeerCertificate's
	// does. It runs with InsecureAcceptUnauthorized too.
	VerifyConnection func(ConnectionState) error

	// KeyLogWriter, when set, receives the traffic secrets in NSS key log
	// format (SSLKEYLOGFILE) so tools such as Wireshark can decrypt a capture.
	// It weakens the connection's security: for debugging only.
	KeyLogWriter io.Writer

	// MaxHandshakeMessageSize bounds one handshake message; a peer announcing a
	// larger one is refused before its bytes are buffered. Zero means 64 KiB.
	MaxHandshakeMessageSize int
}

// DefaultMaxHandshakeMessage is the largest handshake message accepted when
// Config.MaxHandshakeMessageSize is zero.
const DefaultMaxHandshakeMessage = 64 << 10

// ClientHelloInfo is what Config.GetCertificate sees of a ClientHello.
type ClientHelloInfo struct {
	ServerName       string   // SNI, empty when none was sent
	SignatureSchemes []uint16 // signature_algorithms, in the client's order
	SupportedProtos  []string // ALPN protocols, in the client's order
	// Fingerprint is the hello's JA3 and JA4, to tell clients apart.
	Fingerprint handshake.Fingerprint
}

// ShapedHello is a client's first ClientHello as bytes, with the private keys
// of the key shares it carries.
type ShapedHello struct {
	Raw  []byte
	Keys []*handshake.ClientKeyShare
}

// HelloShaper builds the first ClientHello of a connection, for callers that
// bring their own hello bytes (a test replaying a recorded trace).
type HelloShaper interface {
	ShapeHello(cfg *Config) (*ShapedHello, error)
}

// maxMessage is the effective handshake message size limit.
func (c *Config) maxMessage() int {
	if c.MaxHandshakeMessageSize > 0 {
		return c.MaxHandshakeMessageSize
	}
	return DefaultMaxHandshakeMessage
}

// machineConfig is the Config as the state machines take it, checked; e
// hears of store failures.
func (c *Config) machineConfig(isClient bool, e *Engine) (*machine.Config, error) {
	m := &machine.Config{
		Rand: c.Rand, Time: c.Time, Certificates: c.Certificates,
		ClientAuth: c.ClientAuth, ClientCAs: c.ClientCAs, RootCAs: c.RootCAs, ServerName: c.ServerName,
		InsecureAcceptUnauthorized: c.InsecureAcceptUnauthorized,
		NextProtos:                 c.NextProtos, MinVersion: c.MinVersion, MaxVersion: c.MaxVersion,
		RequireExtendedMasterSecret: c.RequireExtendedMasterSecret,
		CertCompression:             c.CertCompression, MaxHandshakeMessage: c.maxMessage(),
		ApplicationSettings: c.ApplicationSettings,
		CipherSuites:        c.CipherSuites, NPNProtocols: c.NPNProtocols, CurvePreferences: c.CurvePreferences,
		ClientHelloID: c.ClientHelloID, ClientHelloSpec: c.ClientHelloSpec,
		SessionIDContext: c.SessionIDContext, TicketCount: c.TicketCount,
		EarlyData: c.EarlyData, MaxEarlyData: c.MaxEarlyData,
		KeyLogWriter: c.KeyLogWriter,
	}
	if err := c.checkStores(); err != nil {
		return nil, err
	}
	c.watchStores(m, isClient, e)
	m.VerifyPeerCertificate, m.SignatureSchemes = c.VerifyPeerCertificate, c.SignatureSchemes
	m.EncryptedClientHelloKeys, m.EncryptedClientHelloConfigList = c.EncryptedClientHelloKeys, c.EncryptedClientHelloConfigList
	m.HalfRTT = c.HalfRTT
	if c.VerifyConnection != nil {
		m.VerifyConnection = func(st *machine.ConnectionState) error { return c.VerifyConnection(ConnectionState(*st)) }
	}
	if c.GetCertificate != nil {
		m.GetCertificate = func(h *machine.ClientHelloInfo) (*tls.Certificate, error) {
			return c.GetCertificate((*ClientHelloInfo)(h))
		}
	}
	if c.HelloShaper != nil {
		m.ShapeHello = func() (*machine.ShapedHello, error) {
			h, err := c.HelloShaper.ShapeHello(c)
			return (*machine.ShapedHello)(h), err
		}
	}
	if err := m.Check(isClient); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return m, nil
}

var (
	_ = x509.NewCertPool
	_ io.Reader
	_ time.Duration
	_ utls.ClientHelloID
)
