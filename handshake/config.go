package handshake

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	utls "github.com/refraction-networking/utls"
)

// DefaultMaxHandshakeMessage is the largest handshake message accepted when
// Config.MaxHandshakeMessageSize is zero.
const DefaultMaxHandshakeMessage = 64 << 10

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
	// CipherSuites lists TLS 1.3 and TLS 1.2 suites in order of preference;
	// nil means all of both (all AEAD, all with forward secrecy).
	CipherSuites []uint16
	// NPNProtocols lists Next Protocol Negotiation protocols (TLS 1.2 only),
	// in order of preference (Node's NPNProtocols; see ParseNPNList for its
	// length-prefixed byte form).
	NPNProtocols []string
	// CurvePreferences lists key exchange groups in order of preference; nil
	// means X25519MLKEM768, X25519, P-256, P-384. A client sends a key share
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
	// session ID.
	ServerSessionCache *ServerSessionCache
	// TicketKeys, when set, lets a server issue and accept session tickets,
	// sealed with rotating keys: RFC 5077 tickets in TLS 1.2,
	// NewSessionTicket and PSK resumption in TLS 1.3.
	TicketKeys *TicketKeys
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
	// EarlyDataGuard refuses early data on a ticket seen before (single-use
	// tickets for 0-RTT), bounded in size.
	EarlyDataGuard *ReplayGuard
	// ClientSessionCache, when set, lets a client resume TLS 1.2 sessions,
	// keyed by server name.
	ClientSessionCache *ClientSessionCache

	// KeyLogWriter, when set, receives the traffic secrets in NSS key log
	// format (SSLKEYLOGFILE) so tools such as Wireshark can decrypt a capture.
	// It weakens the connection's security: for debugging only.
	KeyLogWriter io.Writer

	// MaxHandshakeMessageSize bounds one handshake message; a peer announcing a
	// larger one is refused before its bytes are buffered. Zero means 64 KiB.
	MaxHandshakeMessageSize int
}

func (c *Config) rand() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return rand.Reader
}

// logKey writes one NSS key log line when KeyLogWriter is set.
func (c *Config) logKey(label string, clientRandom [32]byte, secret []byte) {
	if c.KeyLogWriter != nil {
		fmt.Fprintf(c.KeyLogWriter, "%s %x %x\n", label, clientRandom, secret)
	}
}

func (c *Config) now() time.Time {
	if c.Time != nil {
		return c.Time()
	}
	return time.Now()
}

// MaxMessage returns the effective handshake message size limit.
func (c *Config) MaxMessage() int {
	if c.MaxHandshakeMessageSize > 0 {
		return c.MaxHandshakeMessageSize
	}
	return DefaultMaxHandshakeMessage
}

func (c *Config) suites() []*Suite {
	if c.CipherSuites == nil {
		return suites13
	}
	var out []*Suite
	for _, id := range c.CipherSuites {
		if s := Suite13ByID(id); s != nil {
			out = append(out, s)
		}
	}
	return out
}

func (c *Config) groups() []uint16 {
	if c.CurvePreferences == nil {
		return defaultGroups
	}
	var out []uint16
	for _, g := range c.CurvePreferences {
		if groupSupported(uint16(g)) {
			out = append(out, uint16(g))
		}
	}
	return out
}

func (c *Config) minVersion() uint16 {
	if c.MinVersion == 0 {
		return VersionTLS12
	}
	return c.MinVersion
}

func (c *Config) maxVersion() uint16 {
	if c.MaxVersion == 0 {
		return VersionTLS13
	}
	return c.MaxVersion
}

// allows reports whether version v is within MinVersion..MaxVersion.
func (c *Config) allows(v uint16) bool {
	return v >= c.minVersion() && v <= c.maxVersion()
}

func (c *Config) suites12() []*Suite12 {
	if c.CipherSuites == nil {
		return suites12
	}
	var out []*Suite12
	for _, id := range c.CipherSuites {
		if s := Suite12ByID(id); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// check refuses a Config that cannot make a handshake.
func (c *Config) check(isClient bool) error {
	for _, v := range []uint16{c.MinVersion, c.MaxVersion} {
		if v != 0 && v != VersionTLS12 && v != VersionTLS13 {
			return fmt.Errorf("handshake: version %#04x: only TLS 1.2 (0x0303) and TLS 1.3 (0x0304) are spoken", v)
		}
	}
	if c.minVersion() > c.maxVersion() {
		return errors.New("handshake: MinVersion is above MaxVersion")
	}
	if c.allows(VersionTLS13) && len(c.suites()) == 0 && !c.allows(VersionTLS12) {
		return errors.New("handshake: no supported TLS 1.3 cipher suite in CipherSuites")
	}
	if c.allows(VersionTLS12) && len(c.suites12()) == 0 && !c.allows(VersionTLS13) {
		return errors.New("handshake: no supported TLS 1.2 cipher suite in CipherSuites")
	}
	if len(c.groups()) == 0 {
		return errors.New("handshake: no supported group in CurvePreferences")
	}
	if isClient && c.ServerName == "" && !c.InsecureAcceptUnauthorized {
		return errors.New("handshake: ServerName is needed to verify the server (or set InsecureAcceptUnauthorized)")
	}
	if !isClient && len(c.Certificates) == 0 && c.GetCertificate == nil {
		return errors.New("handshake: a server needs at least one certificate")
	}
	return nil
}

// ClientHelloInfo is what GetCertificate sees of a ClientHello.
type ClientHelloInfo struct {
	ServerName       string
	SignatureSchemes []uint16
	SupportedProtos  []string
}

// ConnectionState describes a connection as negotiated so far.
type ConnectionState struct {
	Version            uint16
	CipherSuite        uint16
	Group              tls.CurveID
	NegotiatedProtocol string // ALPN
	ServerName         string
	PeerCertificates   []*x509.Certificate
	VerifiedChains     [][]*x509.Certificate
	// Authorized is true when the peer's certificate verified (Node's
	// 'authorized'). AuthorizationError says why not when it is false.
	Authorized         bool
	AuthorizationError error
	NPNProtocol        string // the protocol chosen by NPN (TLS 1.2)
	DidResume          bool
	EarlyDataAccepted  bool // 0-RTT data was sent and taken
	DidHelloRetry      bool
	HandshakeComplete  bool
}
