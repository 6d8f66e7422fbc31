package machine

import (
	"bytes"
	"crypto/hmac"
	"crypto/tls"
	"crypto/x509"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// The client's states, in order:
//
//	clientExpectServerHello → (HelloRetryRequest: clientExpectServerHello again)
//	→ clientExpectEncryptedExtensions → clientExpectCertificate
//	→ clientExpectCertificateVerify → clientExpectFinished → Traffic

// clientShared is what the client's states up to the ServerHello need: the
// config, what the hello really offered with the private keys of its shares
// and the session it offered, and the connection state built up so far.
type clientShared struct {
	cfg     *Config
	offered *Session // a cached session offered for resumption
	// earlyOffered: the hello carries early_data and 0-RTT data may be going out.
	earlyOffered bool
	hello        *handshake.ClientHello // the last hello sent, decoded
	helloRaw     []byte
	keys         []*handshake.ClientKeyShare
	sentCCS      bool             // middlebox-compatibility CCS already sent
	state        *ConnectionState // the engine's, filled as the handshake goes
	ech          *echClient       // an encrypted inner hello offered; nil without ECH
	// offeredEarly is the early secret of the offered ticket (offered).
	offeredEarly handshake.EarlySecret
}

// StartClient builds and sends the first ClientHello and returns the state
// that waits for the server's answer.
func StartClient(cfg *Config, out Sink) (State, error) {
	hello, raw, keys, ech, err := buildFirstHello(cfg)
	if err != nil {
		return nil, err
	}
	if !contains(hello.SupportedVersions, handshake.VersionTLS13) && !offers12(hello) {
		return nil, record.Errorf(record.AlertInternalError, "the shaped ClientHello offers neither TLS 1.3 nor TLS 1.2")
	}
	c := &clientShared{cfg: cfg, hello: hello, helloRaw: raw, keys: keys, state: out.Negotiated(), ech: ech}
	if ech == nil { // with ECH, no resumption yet
		if err := c.offerSession(); err != nil {
			return nil, err
		}
	}
	c.state.ServerName = hello.ServerName
	if ech != nil {
		c.state.ServerName = ech.inner.ServerName
	}
	out.HelloSeen(hello)
	if err := out.SendMessage(c.helloRaw); err != nil {
		return nil, err
	}
	if c.earlyOffered {
		if err := c.startEarlyData(out); err != nil {
			return nil, err
		}
	}
	return &clientExpectServerHello{c: c}, nil
}

func (c *clientShared) keyFor(group uint16) *handshake.ClientKeyShare {
	for _, k := range c.keys {
		if k.Group == group {
			return k
		}
	}
	return nil
}

// compatCCS sends the middlebox-compatibility CCS once, when the hello had a
// session ID (RFC 8446 appendix D.4).
func (c *clientShared) compatCCS(out Sink) error {
	if c.sentCCS || len(c.hello.SessionID) == 0 {
		return nil
	}
	c.sentCCS = true
	return out.SendChangeCipherSpec()
}

// clientExpectServerHello waits for ServerHello or HelloRetryRequest.
type clientExpectServerHello struct {
	c         *clientShared
	retried   bool
	retryHash *handshake.Transcript // set after a HelloRetryRequest
	suite     *handshake.Suite      // fixed by a HelloRetryRequest
}

func (s *clientExpectServerHello) Handle(raw []byte, out Sink) (State, error) {
	sh, err := expect[handshake.ServerHello](raw)
	if err != nil {
		return nil, err
	}
	if sh.SupportedVersion == 0 && !s.retried {
		return s.c.handleServerHello12(sh, raw, out)
	}
	if s.c.ech != nil && !sh.IsHelloRetryRequest() {
		if err := s.c.echAnswered(sh); err != nil {
			return nil, err
		}
	}
	suite, err := s.checkCommon(sh)
	if err != nil {
		return nil, err
	}
	if sh.IsHelloRetryRequest() {
		return s.handleRetry(sh, raw, suite, out)
	}
	return s.handleServerHello(sh, raw, suite, out)
}

// checkCommon validates what ServerHello and HelloRetryRequest share.
func (s *clientExpectServerHello) checkCommon(sh *handshake.ServerHello) (*handshake.Suite, error) {
	c := s.c
	if sh.SupportedVersion == 0 {
		return nil, record.Errorf(record.AlertProtocolVersion, "server chose a version below TLS 1.3 (%#04x)", sh.Version)
	}
	if sh.SupportedVersion != handshake.VersionTLS13 || !contains(c.hello.SupportedVersions, sh.SupportedVersion) {
		return nil, illegal("server chose version %#04x, which was not offered", sh.SupportedVersion)
	}
	if sh.Version != handshake.VersionTLS12 {
		return nil, illegal("legacy_version %#04x in ServerHello", sh.Version)
	}
	if !bytes.Equal(sh.SessionID, c.hello.SessionID) {
		return nil, illegal("server did not echo the session ID")
	}
	if sh.CompressionMethod != 0 {
		return nil, illegal("server chose compression %d", sh.CompressionMethod)
	}
	suite := handshake.Suite13ByID(sh.CipherSuite)
	if suite == nil || !contains(c.hello.CipherSuites, sh.CipherSuite) {
		return nil, illegal("server chose cipher suite %#04x, which was not offered", sh.CipherSuite)
	}
	if s.suite != nil && s.suite != suite {
		return nil, illegal("server changed the cipher suite after HelloRetryRequest")
	}
	exts, allowed, what := sh.Extensions, inServerHello13, "ServerHello"
	if sh.IsHelloRetryRequest() {
		allowed, what = inHelloRetry, "HelloRetryRequest"
		exts = without(exts, handshake.ExtCookie) // a server may always send a cookie
	}
	if err := checkServerExtensions(c.hello, what, exts, allowed, nil); err != nil {
		return nil, err
	}
	return suite, nil
}

func (s *clientExpectServerHello) handleServerHello(sh *handshake.ServerHello, raw []byte, suite *handshake.Suite, out Sink) (State, error) {
	c := s.c
	if sh.HasDowngradeSentinel() {
		return nil, illegal("TLS 1.3 ServerHello carries a downgrade sentinel")
	}
	var psk []byte
	if sh.SelectedIdentity >= 0 {
		if c.offered == nil || c.offered.Version != handshake.VersionTLS13 || sh.SelectedIdentity != 0 {
			return nil, illegal("server selected a PSK that was not offered")
		}
		if handshake.Suite13ByID(c.offered.Suite).Hash != suite.Hash {
			return nil, illegal("server resumed a ticket with a suite of another hash")
		}
		psk = c.offered.Master
		c.state.DidResume = true
		c.offered.restoreAuth(c.state)
	}
	if sh.KeyShare.Group == 0 {
		if psk == nil || !contains(c.hello.PSKModes, pskModeKE) {
			return nil, record.Errorf(record.AlertMissingExtension, "ServerHello without key_share")
		}
		return s.keysFromShared(sh, raw, suite, psk, make([]byte, suite.Hash.Size()), out)
	}
	offered := false
	for _, ks := range c.hello.KeyShares {
		offered = offered || ks.Group == sh.KeyShare.Group
	}
	if !offered {
		return nil, illegal("server chose group %#04x, for which no share was offered", sh.KeyShare.Group)
	}
	key := c.keyFor(sh.KeyShare.Group)
	if key == nil {
		return nil, record.Errorf(record.AlertInternalError, "no private key for the offered group %#04x", sh.KeyShare.Group)
	}
	shared, err := key.SharedSecret(sh.KeyShare.Data)
	if err != nil {
		return nil, err
	}
	c.state.Group = tls.CurveID(sh.KeyShare.Group)
	return s.keysFromShared(sh, raw, suite, psk, shared, out)
}

// keysFromShared runs the key schedule to the handshake keys.
func (s *clientExpectServerHello) keysFromShared(sh *handshake.ServerHello, raw []byte, suite *handshake.Suite, psk, shared []byte, out Sink) (State, error) {
	c := s.c
	t := s.retryHash
	if t == nil {
		t = handshake.NewTranscript(suite)
		t.Add(c.helloRaw)
	}
	t.Add(raw)
	// The offered ticket's early secret, extracted once for the binder: the
	// schedule's secrets depend on the hash alone, which the server's suite
	// shares with the ticket's (checked above).
	early := c.offeredEarly
	if psk == nil {
		early = handshake.NewEarlySecret(suite, nil)
	}
	hs := early.HandshakeSecret(shared)
	th := t.Sum()
	clientHS, serverHS := hs.ClientTrafficSecret(th), hs.ServerTrafficSecret(th)
	c.cfg.logKey("CLIENT_HANDSHAKE_TRAFFIC_SECRET", c.hello.Random, clientHS)
	c.cfg.logKey("SERVER_HANDSHAKE_TRAFFIC_SECRET", c.hello.Random, serverHS)
	if err := setReadSecret(out, LevelHandshake, suite, serverHS); err != nil {
		return nil, err
	}
	// Switch now, not at Finished, so that an alert about the server's flight
	// goes out protected as the server expects; with 0-RTT in flight the
	// switch waits for EncryptedExtensions.
	if !c.earlyOffered {
		if err := c.compatCCS(out); err != nil {
			return nil, err
		}
		if err := setWriteSecret(out, LevelHandshake, suite, clientHS); err != nil {
			return nil, err
		}
	}
	c.state.Version, c.state.ExtendedMasterSecret = handshake.VersionTLS13, true
	c.state.CipherSuite = suite.ID
	after := &client13{cfg: c.cfg, hello: c.hello, state: c.state, earlyOffered: c.earlyOffered, ech: c.ech}
	if psk != nil {
		after.ticket = c.offered
	}
	return &clientExpectEncryptedExtensions{c: after, k: &clientKeys{suite: suite, t: t, hs: hs, clientHS: clientHS, serverHS: serverHS}}, nil
}

// client13 is what the client's TLS 1.3 states after the ServerHello need:
// the hello it offered (to check the server's choices), its config, whether
// a ticket was accepted and where 0-RTT stands, and the connection state.
type client13 struct {
	cfg           *Config
	hello         *handshake.ClientHello
	state         *ConnectionState
	ticket        *Session // the offered ticket, when the server took it: no certificates
	earlyOffered  bool     // 0-RTT data may be going out
	earlyAccepted bool     // the server took it: EndOfEarlyData follows its Finished
	alps          uint16   // ALPS negotiated on this code point: our EncryptedExtensions follow the server's Finished
	ech           *echClient
}

// clientKeys is the key schedule state carried from ServerHello to Finished.
type clientKeys struct {
	suite              *handshake.Suite
	t                  *handshake.Transcript
	hs                 handshake.HandshakeSecret
	clientHS, serverHS []byte
}

type clientExpectEncryptedExtensions struct {
	c *client13
	k *clientKeys
}

func (s *clientExpectEncryptedExtensions) Handle(raw []byte, out Sink) (State, error) {
	ee, err := expect[handshake.EncryptedExtensions](raw)
	if err != nil {
		return nil, err
	}
	c := s.c
	if err := checkServerExtensions(c.hello, "EncryptedExtensions", ee.Extensions, nil, notInEncryptedExtensions); err != nil {
		return nil, err
	}
	if ee.EarlyData && !(c.earlyOffered && c.ticket != nil) {
		return nil, illegal("server accepted early data that was not sent")
	}
	if c.ech != nil && c.ech.declined {
		for _, e := range ee.Extensions {
			if e.Type == extECH {
				c.ech.retry = append([]byte{}, e.Data...)
			}
		}
	}
	if ee.EarlyData && (c.state.CipherSuite != c.ticket.Suite || ee.ALPN != c.ticket.ALPN) {
		// RFC 8446 section 4.2.10: 0-RTT data stands only under the
		// ticket's suite and ALPN protocol.
		return nil, illegal("server accepted early data under another cipher suite or ALPN protocol than the ticket's")
	}
	if ee.ALPN != "" && !contains(c.hello.ALPN, ee.ALPN) {
		return nil, illegal("server chose ALPN protocol %q, which was not offered", ee.ALPN)
	}
	if settings, codepoint, ok := alpsIn(ee.Extensions); ok {
		_, protos, offered := alpsOffer(c.hello)
		if ee.ALPN == "" || !offered || !contains(protos, ee.ALPN) {
			return nil, illegal("application_settings for a protocol not offered for ALPS")
		}
		c.alps, c.state.PeerApplicationSettings = codepoint, append([]byte{}, settings...)
	}
	c.state.NegotiatedProtocol = ee.ALPN
	s.k.t.Add(raw)
	if c.earlyOffered {
		if err := c.earlyAnswered(ee.EarlyData, s.k, out); err != nil {
			return nil, err
		}
	}
	if c.ticket != nil {
		return &clientExpectFinished{c: c, k: s.k}, nil // the PSK authenticates: no certificates
	}
	return &clientExpectCertificate{c: c, k: s.k}, nil
}

// clientExpectCertificate waits for the server's Certificate, or a
// CertificateRequest before it.
type clientExpectCertificate struct {
	c       *client13
	k       *clientKeys
	certReq *handshake.CertificateRequest
}

func (s *clientExpectCertificate) Handle(raw []byte, out Sink) (State, error) {
	switch handshake.MessageType(raw[0]) {
	case handshake.TypeCertificateRequest:
		if s.certReq != nil {
			return nil, unexpected(raw, "Certificate")
		}
		req, err := expect[handshake.CertificateRequest](raw)
		if err != nil {
			return nil, err
		}
		if len(req.Context) != 0 {
			return nil, illegal("CertificateRequest with a context during the handshake")
		}
		s.k.t.Add(raw)
		return &clientExpectCertificate{c: s.c, k: s.k, certReq: req}, nil
	case handshake.TypeCertificate, handshake.TypeCompressedCertificate:
	default:
		return nil, unexpected(raw, "Certificate")
	}
	certRaw, err := s.uncompressed(raw)
	if err != nil {
		return nil, err
	}
	msg, err := expect[handshake.Certificate](certRaw)
	if err != nil {
		return nil, err
	}
	if len(msg.Context) != 0 {
		return nil, illegal("server Certificate with a context")
	}
	if len(msg.Entries) == 0 {
		return nil, record.Errorf(record.AlertDecodeError, "server sent no certificate")
	}
	for _, entry := range msg.Entries { // RFC 8446 section 4.4.2
		if err := checkServerExtensions(s.c.hello, "CertificateEntry", entry.Extensions, inServerCertEntry, nil); err != nil {
			return nil, err
		}
	}
	certs, err := parseChain(chainOf(msg.Entries))
	if err != nil {
		return nil, err
	}
	if err := readLeafExtensions13(msg.Entries[0], s.c.state); err != nil {
		return nil, err
	}
	if err := authorizeServer(s.c.cfg, s.c.state, certs, x509.KeyUsageDigitalSignature); err != nil {
		return nil, err
	}
	s.k.t.Add(raw)
	return &clientExpectCertificateVerify{c: s.c, k: s.k, certReq: s.certReq}, nil
}

// uncompressed returns the Certificate message raw stands for: itself, or
// what a CompressedCertificate decompresses to when the hello offered
// compression (RFC 8879). The transcript keeps raw as it came.
func (s *clientExpectCertificate) uncompressed(raw []byte) ([]byte, error) {
	if handshake.MessageType(raw[0]) != handshake.TypeCompressedCertificate {
		return raw, nil
	}
	if s.c.hello.CompressCertificate == nil {
		return nil, unexpected(raw, "Certificate")
	}
	cc, err := expect[handshake.CompressedCertificate](raw)
	if err != nil {
		return nil, err
	}
	return decompressCertificate(cc, s.c.hello.CompressCertificate, s.c.cfg.MaxHandshakeMessage)
}

type clientExpectCertificateVerify struct {
	c       *client13
	k       *clientKeys
	certReq *handshake.CertificateRequest
}

func (s *clientExpectCertificateVerify) Handle(raw []byte, out Sink) (State, error) {
	cv, err := expect[handshake.CertificateVerify](raw)
	if err != nil {
		return nil, err
	}
	if !contains(s.c.hello.SignatureAlgorithms, cv.Scheme) || !contains(s.c.cfg.schemes13(), cv.Scheme) {
		return nil, illegal("server signed with scheme %#04x, which was not offered", cv.Scheme)
	}
	content := signedContent(serverSignatureContext, s.k.t.Sum())
	if err := verifySignature(s.c.state.PeerCertificates[0].PublicKey, cv.Scheme, content, cv.Signature); err != nil {
		return nil, err
	}
	s.c.state.PeerSignatureScheme = cv.Scheme
	s.k.t.Add(raw)
	return &clientExpectFinished{c: s.c, k: s.k, certReq: s.certReq}, nil
}

type clientExpectFinished struct {
	c       *client13
	k       *clientKeys
	certReq *handshake.CertificateRequest
}

func (s *clientExpectFinished) Handle(raw []byte, out Sink) (State, error) {
	fin, err := expect[handshake.Finished](raw)
	if err != nil {
		return nil, err
	}
	k := s.k
	want := k.suite.FinishedMAC(k.serverHS, k.t.Sum())
	if !hmac.Equal(want, fin.VerifyData) {
		return nil, record.Errorf(record.AlertDecryptError, "server Finished does not verify")
	}
	if err := s.c.cfg.runVerifyHooks(s.c.state, true); err != nil {
		return nil, err
	}
	if ech := s.c.ech; ech != nil && ech.declined { // draft-ietf-tls-esni section 6.1.6
		return nil, &record.AlertError{Alert: alertECHRequired, Reason: "the server declined the encrypted ClientHello",
			Err: &ECHRejectionError{RetryConfigList: ech.retry}}
	}
	k.t.Add(raw)
	ms := k.hs.MasterSecret()
	th := k.t.Sum()
	clientApp, serverApp := ms.ClientTrafficSecret(th), ms.ServerTrafficSecret(th)
	s.c.cfg.logKey("CLIENT_TRAFFIC_SECRET_0", s.c.hello.Random, clientApp)
	s.c.cfg.logKey("SERVER_TRAFFIC_SECRET_0", s.c.hello.Random, serverApp)
	exporter := ms.ExporterSecret(th) // derived once, for the key log and the connection
	s.c.cfg.logKey("EXPORTER_SECRET", s.c.hello.Random, exporter)
	if err := setReadSecret(out, LevelApplication, k.suite, serverApp); err != nil {
		return nil, err
	}
	if s.c.earlyAccepted {
		if err := s.c.endEarlyData(k, out); err != nil {
			return nil, err
		}
	}
	if s.c.alps != 0 { // our settings, before any Certificate (draft-vvv-tls-alps section 4)
		ee := clientEncryptedExtensions(s.c.cfg, s.c.alps, s.c.state.NegotiatedProtocol)
		k.t.Add(ee)
		if err := out.SendMessage(ee); err != nil {
			return nil, err
		}
	}
	if s.certReq != nil {
		if err := s.c.sendClientCertificate(s.certReq, k, out); err != nil {
			return nil, err
		}
	}
	mine := handshake.Marshal((&handshake.Finished{VerifyData: k.suite.FinishedMAC(k.clientHS, k.t.Sum())}))
	if err := out.SendMessage(mine); err != nil {
		return nil, err
	}
	k.t.Add(mine)
	if err := setWriteSecret(out, LevelApplication, k.suite, clientApp); err != nil {
		return nil, err
	}
	out.Complete()
	t := &Traffic{suite: k.suite, readSecret: serverApp, writeSecret: clientApp, isClient: true,
		exporter: exporter, state: s.c.state}
	if s.c.cfg.ClientSessionCache != nil {
		// Tickets are kept: hold what storing them takes. Without a cache
		// the connection lets the handshake's configuration go.
		t.cfg, t.resumption = s.c.cfg, ms.ResumptionSecret(k.t.Sum())
	}
	return t, nil
}
