package machine

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	utls "github.com/refraction-networking/utls"
	"github.com/securepair/securepair/handshake"
)

// Config is engine.Config as the state machines take it (see there for the
// fields). GetCertificate and ShapeHello are the engine's adapters of the
// public callbacks.
type Config struct {
	Rand io.Reader
	Time func() time.Time

	Certificates []tls.Certificate

	GetCertificate func(*ClientHelloInfo) (*tls.Certificate, error)

	ClientAuth tls.ClientAuthType
	ClientCAs  *x509.CertPool

	RootCAs                    *x509.CertPool
	ServerName                 string
	InsecureAcceptUnauthorized bool

	NextProtos                  []string
	MinVersion, MaxVersion      uint16
	RequireExtendedMasterSecret bool
	CertCompression             []uint16
	ApplicationSettings         map[string][]byte
	MaxHandshakeMessage         int // resolved by the engine
	CipherSuites                []uint16
	NPNProtocols                []string
	CurvePreferences            []tls.CurveID

	ClientHelloID   *utls.ClientHelloID
	ClientHelloSpec func() *utls.ClientHelloSpec
	ShapeHello      func() (*ShapedHello, error)

	SessionIDContext   []byte
	ServerSessionCache SessionStore
	TicketKeys         TicketKeySource
	TicketCount        int
	EarlyData          bool
	MaxEarlyData       uint32
	EarlyDataGuard     ReplayStore
	ClientSessionCache SessionStore

	KeyLogWriter io.Writer

	SignatureSchemes []uint16

	HalfRTT bool

	EncryptedClientHelloKeys       []ECHKey
	EncryptedClientHelloConfigList []byte

	VerifyPeerCertificate func(rawCerts [][]byte, verifiedChains [][]*x509.Certificate) error
	VerifyConnection      func(*ConnectionState) error
}

// defaultGroups are the key exchange groups when CurvePreferences is nil.
var defaultGroups = []uint16{handshake.GroupX25519MLKEM768, handshake.GroupX25519, handshake.GroupSecp256r1, handshake.GroupSecp384r1, handshake.GroupSecp521r1}

// groups12 are the groups TLS 1.2 ECDHE may use (no hybrids).
var groups12 = []uint16{handshake.GroupX25519, handshake.GroupSecp256r1, handshake.GroupSecp384r1, handshake.GroupSecp521r1}

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

// defaultSuites is the order of preference when CipherSuites is nil: TLS
// 1.3's, then TLS 1.2's (all AEAD, all with forward secrecy).
var defaultSuites = []uint16{
	handshake.TLS_AES_128_GCM_SHA256, handshake.TLS_CHACHA20_POLY1305_SHA256, handshake.TLS_AES_256_GCM_SHA384,
	handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, handshake.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	handshake.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, handshake.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	handshake.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, handshake.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
}

func (c *Config) suiteIDs() []uint16 {
	if c.CipherSuites == nil {
		return defaultSuites
	}
	return c.CipherSuites
}

func (c *Config) suites() []*handshake.Suite {
	var out []*handshake.Suite
	for _, id := range c.suiteIDs() {
		if s := handshake.Suite13ByID(id); s != nil {
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
		if handshake.GroupSupported(uint16(g)) {
			out = append(out, uint16(g))
		}
	}
	return out
}

func (c *Config) minVersion() uint16 {
	if c.MinVersion == 0 {
		return handshake.VersionTLS12
	}
	return c.MinVersion
}

func (c *Config) maxVersion() uint16 {
	if c.MaxVersion == 0 {
		return handshake.VersionTLS13
	}
	return c.MaxVersion
}

// allows reports whether version v is spoken: within MinVersion..MaxVersion
// and with a cipher suite and a signature scheme of that version listed (a
// client listing only TLS 1.2 suites, or only PKCS#1 v1.5 schemes, does
// not offer TLS 1.3, which it could not complete).
func (c *Config) allows(v uint16) bool {
	if v < c.minVersion() || v > c.maxVersion() {
		return false
	}
	if v == handshake.VersionTLS13 {
		return len(c.suites()) > 0 && len(c.schemes13()) > 0
	}
	return len(c.suites12()) > 0 && len(c.schemes12()) > 0
}

// suites12 are the TLS 1.2 suites the Config lists; the defaults never
// include a legacy one, and a server never takes one (serverSuites12).
func (c *Config) suites12() []*handshake.Suite12 {
	var out []*handshake.Suite12
	for _, id := range c.suiteIDs() {
		if s := handshake.Suite12ByID(id); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// serverSuites12 are the listed suites a server negotiates: never a legacy
// one (AES-CBC, RSA key exchange), which only a client speaks.
func (c *Config) serverSuites12() []*handshake.Suite12 {
	return filter(c.suites12(), func(s *handshake.Suite12) bool { return s.MAC == 0 && !s.RSAKeyExchange })
}

// Check refuses a Config that cannot make a handshake; StartClient and
// NewServer take only a Config that passed it.
func (c *Config) Check(isClient bool) error {
	for _, v := range []uint16{c.MinVersion, c.MaxVersion} {
		if v != 0 && v != handshake.VersionTLS12 && v != handshake.VersionTLS13 {
			return fmt.Errorf("version %#04x: only TLS 1.2 (0x0303) and TLS 1.3 (0x0304) are spoken", v)
		}
	}
	if c.minVersion() > c.maxVersion() {
		return errors.New("MinVersion is above MaxVersion")
	}
	if !c.allows(handshake.VersionTLS13) && !c.allows(handshake.VersionTLS12) {
		return errors.New("no supported cipher suite and signature scheme in CipherSuites and SignatureSchemes for the versions MinVersion..MaxVersion allow")
	}
	if !isClient && !c.allows(handshake.VersionTLS13) && len(c.serverSuites12()) == 0 {
		return errors.New("no TLS 1.2 cipher suite a server negotiates in CipherSuites")
	}
	if len(c.groups()) == 0 {
		return errors.New("no supported group in CurvePreferences")
	}
	if isClient && len(c.EncryptedClientHelloConfigList) > 0 {
		if c.ClientHelloSpec != nil || c.ShapeHello != nil {
			return errors.New("encrypted Client Hello works with the hello derived from the Config or a ClientHelloID shape")
		}
		if !c.allows(handshake.VersionTLS13) {
			return errors.New("encrypted Client Hello needs TLS 1.3")
		}
		if _, _, _, _, err := chooseECHConfig(c.EncryptedClientHelloConfigList); err != nil {
			return err
		}
	}
	if isClient && c.ServerName == "" && !c.InsecureAcceptUnauthorized {
		return errors.New("ServerName is needed to verify the server (or set InsecureAcceptUnauthorized)")
	}
	if !isClient && len(c.Certificates) == 0 && c.GetCertificate == nil {
		return errors.New("a server needs at least one certificate")
	}
	return nil
}

// ClientHelloInfo is what GetCertificate sees of a ClientHello.
type ClientHelloInfo struct {
	ServerName       string
	SignatureSchemes []uint16
	SupportedProtos  []string
	Fingerprint      handshake.Fingerprint
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
	Authorized                  bool
	AuthorizationError          error
	NPNProtocol                 string // the protocol chosen by NPN (TLS 1.2)
	DidResume                   bool
	EarlyDataAccepted           bool // 0-RTT data was sent and taken
	DidHelloRetry               bool
	ExtendedMasterSecret        bool
	Fingerprint                 handshake.Fingerprint
	PeerApplicationSettings     []byte
	HandshakeComplete           bool
	PeerSignatureScheme         uint16
	LocalSignatureScheme        uint16
	OCSPResponse                []byte
	SignedCertificateTimestamps [][]byte
	EarlyDataReason             EarlyDataReason
	ECHAccepted                 bool
}
