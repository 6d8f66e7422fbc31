package machine

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"io"
	"slices"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// The client's TLS 1.2 states (full handshake):
//
//	clientExpectServerHello → client12ExpectCertificate → client12ExpectServerKeyExchange
//	(skipped with RSA key exchange)
//	→ client12ExpectServerHelloDone (a CertificateRequest may come first)
//	→ sends [Certificate] ClientKeyExchange [CertificateVerify] CCS [NextProtocol] Finished
//	→ client12ExpectChangeCipherSpec → client12ExpectFinished → Traffic

// client12 is what every TLS 1.2 client state shares: what the ServerHello
// settled (the hello offered, the ServerHello, the suite and randoms, which
// do not change), the connection state being filled, and the transcript and
// master secret, which grow. What only some states need travels in them.
type client12 struct {
	tls12State
	cfg   *Config
	hello *handshake.ClientHello
	sh    *handshake.ServerHello
	state *ConnectionState
	sess  session12
	t     transcript12
	// statusAcked: the ServerHello acknowledged status_request, so a
	// CertificateStatus may follow the Certificate (RFC 6066 section 8).
	statusAcked bool
}

// handleServerHello12 takes a ServerHello that negotiates TLS 1.2.
func (c *clientShared) handleServerHello12(sh *handshake.ServerHello, raw []byte, out Sink) (State, error) {
	h := c.hello
	offered12 := contains(h.SupportedVersions, handshake.VersionTLS12) || (h.SupportedVersions == nil && h.Version >= handshake.VersionTLS12)
	if sh.Version != handshake.VersionTLS12 || !offered12 || !c.cfg.allows(handshake.VersionTLS12) {
		return nil, record.Errorf(record.AlertProtocolVersion, "server chose version %#04x", sh.Version)
	}
	if contains(h.SupportedVersions, handshake.VersionTLS13) && sh.HasDowngradeSentinel() {
		return nil, illegal("TLS 1.2 ServerHello carries the TLS 1.3 downgrade sentinel")
	}
	suite := handshake.Suite12ByID(sh.CipherSuite)
	if suite == nil || !contains(h.CipherSuites, sh.CipherSuite) {
		return nil, illegal("server chose cipher suite %#04x, which was not offered", sh.CipherSuite)
	}
	if sh.CompressionMethod != 0 {
		return nil, illegal("server chose compression %d", sh.CompressionMethod)
	}
	for _, e := range sh.Extensions {
		scsv := e.Type == handshake.ExtRenegotiationInfo && contains(h.CipherSuites, handshake.TLS_EMPTY_RENEGOTIATION_INFO_SCSV) // RFC 5746 section 3.4
		if !h.HasExtension(e.Type) && !scsv {
			return nil, record.Errorf(record.AlertUnsupportedExtension, "server sent extension %d that was not offered", e.Type)
		}
	}
	for _, e := range sh.Extensions {
		// RFC 8422 section 5.2: uncompressed points are mandatory.
		if e.Type == handshake.ExtECPointFormats && (len(e.Data) < 1 || int(e.Data[0]) != len(e.Data)-1 || !bytes.Contains(e.Data[1:], []byte{0})) {
			return nil, illegal("ec_point_formats without the uncompressed format")
		}
	}
	if sh.ALPN != "" && sh.NPNProtocols != nil {
		return nil, illegal("server answered both ALPN and NPN")
	}
	if sh.ALPN != "" && !contains(h.ALPN, sh.ALPN) {
		return nil, illegal("server chose ALPN protocol %q, which was not offered", sh.ALPN)
	}
	if len(sh.RenegotiationInfo) != 0 {
		return nil, record.Errorf(record.AlertHandshakeFailure, "renegotiation_info is not empty on a first handshake")
	}
	if !sh.ExtendedMasterSecret && h.ExtendedMasterSecret && c.cfg.RequireExtendedMasterSecret {
		return nil, record.Errorf(record.AlertHandshakeFailure, "server does not support extended master secret (RFC 7627), which is required")
	}
	st := &client12{cfg: c.cfg, hello: h, sh: sh, state: c.state}
	var err error
	if st.statusAcked, err = readServerHelloStapling(sh, c.state); err != nil {
		return nil, err
	}
	st.sess = session12{suite: suite, ems: sh.ExtendedMasterSecret, clientRandom: h.Random[:], serverRandom: sh.Random[:],
		etm: suite.MAC != 0 && slices.ContainsFunc(sh.Extensions, isExt(extEncryptThenMAC))}
	if sh.NPNProtocols != nil {
		st.sess.npn = selectNPN(sh.NPNProtocols, c.cfg.NPNProtocols)
	}
	c.state.Version, c.state.CipherSuite, c.state.ExtendedMasterSecret = handshake.VersionTLS12, suite.ID, sh.ExtendedMasterSecret
	c.state.NegotiatedProtocol, c.state.NPNProtocol = sh.ALPN, st.sess.npn
	if len(sh.SessionID) > 0 && bytes.Equal(sh.SessionID, h.SessionID) {
		// An echoed session ID announces resumption (RFC 5246 section
		// 7.4.1.3, RFC 5077 section 3.4): of a session we offered, or none.
		if c.offered == nil || c.offered.Version != handshake.VersionTLS12 {
			return nil, illegal("server resumed a session that was not offered")
		}
		return st.resume(c.offered, c.helloRaw, raw)
	}
	st.t.add(c.helloRaw, raw)
	return &client12ExpectCertificate{st}, nil
}

type client12ExpectCertificate struct{ *client12 }

func (s *client12ExpectCertificate) Handle(raw []byte, out Sink) (State, error) {
	msg, err := expect[handshake.Certificate12](raw)
	if err != nil {
		return nil, err
	}
	if len(msg.Chain) == 0 {
		return nil, record.Errorf(record.AlertDecodeError, "server sent no certificate")
	}
	certs, err := parseChain(msg.Chain)
	if err != nil {
		return nil, err
	}
	if isECDSAish(certs[0].PublicKey) != s.sess.suite.ECDSA {
		return nil, record.Errorf(record.AlertUnsupportedCertificate, "certificate key does not fit %s", s.sess.suite.Name)
	}
	if !curveOffered(certs[0].PublicKey, s.hello.SupportedGroups) { // RFC 8422 section 2
		return nil, record.Errorf(record.AlertUnsupportedCertificate, "the server's ECDSA certificate is on a curve that was not offered")
	}
	usage := x509.KeyUsageDigitalSignature
	if s.sess.suite.RSAKeyExchange {
		usage = x509.KeyUsageKeyEncipherment
	}
	if err := authorizeServer(s.cfg, s.state, certs, usage); err != nil {
		return nil, err
	}
	s.t.add(raw)
	var next State = &client12ExpectServerKeyExchange{s.client12}
	if s.sess.suite.RSAKeyExchange {
		if next, err = s.encryptPremaster(certs[0].PublicKey); err != nil {
			return nil, err
		}
	}
	if s.statusAcked {
		return &client12MaybeCertificateStatus{client12: s.client12, next: next}, nil
	}
	return next, nil
}

// client12MaybeCertificateStatus takes the CertificateStatus a server that
// acknowledged status_request may send after its Certificate (it may also
// not: RFC 6066 section 8), then goes on as next.
type client12MaybeCertificateStatus struct {
	*client12
	next State
}

func (s *client12MaybeCertificateStatus) Handle(raw []byte, out Sink) (State, error) {
	if handshake.MessageType(raw[0]) != typeCertificateStatus {
		return s.next.Handle(raw, out)
	}
	resp, err := readCertificateStatus(raw[handshake.HeaderLen:])
	if err != nil {
		return nil, err
	}
	s.state.OCSPResponse = resp
	s.t.add(raw)
	return s.next, nil
}

// encryptPremaster makes RSA key exchange's premaster secret: the hello's
// version and 46 random bytes, encrypted to the server's certificate (RFC
// 5246 section 7.4.7.1). No ServerKeyExchange comes.
func (s *client12ExpectCertificate) encryptPremaster(pub crypto.PublicKey) (State, error) {
	rsaKey, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, record.Errorf(record.AlertUnsupportedCertificate, "%s needs an RSA certificate", s.sess.suite.Name)
	}
	premaster := make([]byte, 48)
	premaster[0], premaster[1] = byte(s.hello.Version>>8), byte(s.hello.Version)
	if _, err := io.ReadFull(s.cfg.rand(), premaster[2:]); err != nil {
		return nil, internal(err)
	}
	//lint:ignore SA1019 RSA key exchange is PKCS #1 v1.5 encryption by definition (RFC 5246 section 7.4.7.1); only a client opted into a legacy suite uses it.
	encrypted, err := rsa.EncryptPKCS1v15(s.cfg.rand(), rsaKey, premaster)
	if err != nil {
		return nil, internal(err)
	}
	return &client12ExpectServerHelloDone{client12: s.client12, encryptedPremaster: encrypted, shared: premaster}, nil
}

// isECDSAish reports whether a key signs for ECDHE_ECDSA suites (ECDSA or Ed25519).
func isECDSAish(pub crypto.PublicKey) bool {
	s := schemesForKey12(pub)
	return len(s) > 0 && (s[0] == SchemeECDSAP256SHA256 || s[0] == SchemeEd25519)
}

type client12ExpectServerKeyExchange struct{ *client12 }

func (s *client12ExpectServerKeyExchange) Handle(raw []byte, out Sink) (State, error) {
	ske, err := expect[handshake.ServerKeyExchange](raw)
	if err != nil {
		return nil, err
	}
	h := s.hello
	if !contains(h.SupportedGroups, ske.Group) || !contains(groups12, ske.Group) {
		return nil, illegal("ServerKeyExchange uses group %#04x, which was not offered", ske.Group)
	}
	if !contains(h.SignatureAlgorithms, ske.Scheme) || !contains(s.cfg.schemes12(), ske.Scheme) {
		return nil, illegal("ServerKeyExchange signed with scheme %#04x, which was not offered", ske.Scheme)
	}
	content := serverKeyExchangeContent(s.sess.clientRandom, s.sess.serverRandom, ske)
	if err := verifySignature12(s.state.PeerCertificates[0].PublicKey, ske.Scheme, content, ske.Signature); err != nil {
		return nil, err
	}
	s.state.PeerSignatureScheme = ske.Scheme
	key, pub, err := handshake.NewClientKeyShare(ske.Group, s.cfg.rand())
	if err != nil {
		return nil, internal(err)
	}
	shared, err := key.SharedSecret(ske.Public)
	if err != nil {
		return nil, err
	}
	s.state.Group = tls.CurveID(ske.Group)
	s.t.add(raw)
	return &client12ExpectServerHelloDone{client12: s.client12, ourShare: pub, shared: shared}, nil
}

// client12ExpectServerHelloDone carries the client's ECDHE share (or, with
// RSA key exchange, its encrypted premaster) and the premaster secret to its
// second flight, and the CertificateRequest if one came.
type client12ExpectServerHelloDone struct {
	*client12
	ourShare, encryptedPremaster, shared []byte
	certReq                              *handshake.CertificateRequest12
}

func (s *client12ExpectServerHelloDone) Handle(raw []byte, out Sink) (State, error) {
	switch handshake.MessageType(raw[0]) {
	case handshake.TypeCertificateRequest:
		if s.certReq != nil {
			return nil, unexpected(raw, "ServerHelloDone")
		}
		req, err := expect[handshake.CertificateRequest12](raw)
		if err != nil {
			return nil, err
		}
		s.certReq = req
		s.t.add(raw)
		return s, nil
	case handshake.TypeServerHelloDone:
		if len(raw) != handshake.HeaderLen {
			return nil, decodeErr("ServerHelloDone")
		}
	default:
		return nil, unexpected(raw, "ServerHelloDone")
	}
	s.t.add(raw)
	if err := out.EndOfFlight(); err != nil {
		return nil, err
	}
	return s.sendFlight(out)
}

// sendFlight sends the client's second flight and switches to the new keys.
func (s *client12ExpectServerHelloDone) sendFlight(out Sink) (State, error) {
	var cert *tls.Certificate
	var scheme uint16
	if s.certReq != nil {
		fit := certsOfTypes(certsFromCAs(s.cfg.Certificates, s.certReq.Authorities), s.certReq.CertificateTypes)
		cert, scheme = chooseCertificate12(fit, agreed(s.cfg.schemes12(), s.certReq.SignatureAlgorithms))
		msg := &handshake.Certificate12{}
		if cert != nil {
			msg.Chain = cert.Certificate
		}
		if err := s.send(out, handshake.Marshal(msg)); err != nil {
			return nil, err
		}
	}
	if err := s.send(out, handshake.Marshal((&handshake.ClientKeyExchange{Public: s.ourShare, EncryptedPremaster: s.encryptedPremaster}))); err != nil {
		return nil, err
	}
	s.sess.deriveMaster(s.shared, &s.t)
	s.cfg.logKey("CLIENT_RANDOM", s.hello.Random, s.sess.master)
	if cert != nil {
		s.state.LocalSignatureScheme = scheme
		sig, err := sign(cert.PrivateKey.(crypto.Signer), scheme, s.t.msgs, s.cfg.rand())
		if err != nil {
			return nil, err
		}
		if err := s.send(out, handshake.Marshal((&handshake.CertificateVerify{Scheme: scheme, Signature: sig}))); err != nil {
			return nil, err
		}
	}
	clientProt, serverProt, err := s.sess.protectors()
	if err != nil {
		return nil, err
	}
	if err := changeCipherSpec(out, clientProt); err != nil {
		return nil, err
	}
	if err := s.sendNextProtocol(out); err != nil {
		return nil, err
	}
	if err := s.send(out, s.sess.finishedMessage(true, &s.t)); err != nil {
		return nil, err
	}
	return &client12ExpectChangeCipherSpec{client12: s.client12, serverProt: serverProt}, nil
}

// send adds a message to the transcript and sends it.
func (s *client12) send(out Sink, msg []byte) error {
	s.t.add(msg)
	return out.SendMessage(msg)
}

// client12ExpectChangeCipherSpec waits for the server's CCS with the key it
// switches to, and a NewSessionTicket that may come first; resumed is true
// in an abbreviated handshake.
type client12ExpectChangeCipherSpec struct {
	*client12
	serverProt record.Protector
	ticket     []byte
	resumed    bool
}

// Handle takes the NewSessionTicket a server sends before its
// ChangeCipherSpec when it promised one.
func (s *client12ExpectChangeCipherSpec) Handle(raw []byte, out Sink) (State, error) {
	if s.resumed && handshake.MessageType(raw[0]) == handshake.TypeCertificate {
		return nil, illegal("server echoed the session ID, then began a full handshake")
	}
	if handshake.MessageType(raw[0]) != handshake.TypeNewSessionTicket || !s.sh.TicketAck || s.ticket != nil {
		return nil, unexpected(raw, "ChangeCipherSpec")
	}
	nst, err := expect[handshake.NewSessionTicket12](raw)
	if err != nil {
		return nil, err
	}
	s.ticket = append([]byte{}, nst.Ticket...)
	s.t.add(raw)
	return s, nil
}

// ChangeCipherSpec switches to the server's write key: its Finished comes next.
// A server that announced a ticket sends it first (RFC 5077 section 3.3).
func (s *client12ExpectChangeCipherSpec) ChangeCipherSpec(out Sink) (State, error) {
	if s.sh.TicketAck && s.ticket == nil {
		return nil, record.Errorf(record.AlertUnexpectedMessage, "server announced a session ticket and sent none")
	}
	if err := out.SetReadKey(LevelApplication, s.serverProt); err != nil {
		return nil, err
	}
	return &client12ExpectFinished{client12: s.client12, ticket: s.ticket, resumed: s.resumed}, nil
}

// client12ExpectFinished waits for the server's Finished, with the ticket
// the server sent to keep and whether this handshake resumed.
type client12ExpectFinished struct {
	*client12
	ticket  []byte
	resumed bool
}

func (s *client12ExpectFinished) Handle(raw []byte, out Sink) (State, error) {
	if err := s.sess.verifyFinished(false, &s.t, raw); err != nil {
		return nil, err
	}
	if err := s.cfg.runVerifyHooks(s.state, true); err != nil {
		return nil, err
	}
	if s.resumed {
		if err := s.finishResumption(out); err != nil {
			return nil, err
		}
	} else {
		s.storeSession(s.ticket)
	}
	out.Complete()
	return traffic12(true, &s.sess), nil
}

// storeSession keeps a full handshake's session for resumption, when the
// server named it (session ID) or sealed it (ticket).
func (s *client12) storeSession(ticket []byte) {
	if s.cfg.ClientSessionCache == nil || (len(s.sh.SessionID) == 0 && len(ticket) == 0) || s.cfg.ServerName == "" || !s.sess.ems {
		return
	}
	s.cfg.putClientSession((&Session{Version: handshake.VersionTLS12, Suite: s.sess.suite.ID, Master: s.sess.master,
		ALPN: s.sh.ALPN, CreatedAt: s.cfg.now(), ID: append([]byte{}, s.sh.SessionID...), Ticket: ticket}).rememberAuth(s.state),
		sessionIDLifetime)
}

// resume continues after a ServerHello that accepted the offered session:
// the server's ChangeCipherSpec and Finished come next.
func (s *client12) resume(sess *Session, helloRaw, raw []byte) (State, error) {
	if sess.Suite != s.sess.suite.ID {
		return nil, illegal("server resumed the session with another cipher suite")
	}
	s.sess.master = sess.Master
	s.state.DidResume = true
	sess.restoreAuth(s.state) // as the original handshake found
	s.t.add(helloRaw, raw)
	_, serverProt, err := s.sess.protectors()
	if err != nil {
		return nil, err
	}
	return &client12ExpectChangeCipherSpec{client12: s, serverProt: serverProt, resumed: true}, nil
}

// finishResumption sends the client's ChangeCipherSpec and Finished after
// the server's, in an abbreviated handshake.
func (s *client12) finishResumption(out Sink) error {
	clientProt, _, err := s.sess.protectors()
	if err != nil {
		return err
	}
	if err := changeCipherSpec(out, clientProt); err != nil {
		return err
	}
	if err := s.sendNextProtocol(out); err != nil {
		return err
	}
	return s.send(out, s.sess.finishedMessage(true, &s.t))
}

// sendNextProtocol sends NPN's choice when the server offered NPN (full and
// abbreviated handshakes alike).
func (s *client12) sendNextProtocol(out Sink) error {
	if s.sh.NPNProtocols == nil {
		return nil
	}
	return s.send(out, handshake.Marshal((&handshake.NextProtocol{Protocol: s.sess.npn})))
}

// offerSession puts a cached TLS 1.2 session into the hello: its ticket in
// session_ticket, or its ID as the session ID.
func (c *clientShared) offerSession() error {
	if c.cfg.ClientSessionCache == nil || c.cfg.ServerName == "" {
		return nil
	}
	sess := c.cfg.clientSession()
	if sess == nil {
		c.wantedEarly(EarlyNoTicket)
		return nil
	}
	if sess.Version == handshake.VersionTLS13 {
		return c.offerPSK(sess) // which checks the ticket's own lifetime
	}
	if c.cfg.now().Sub(sess.CreatedAt) > sessionIDLifetime {
		c.wantedEarly(EarlyNoTicket)
		return nil
	}
	c.wantedEarly(EarlyNoTicket) // a TLS 1.2 session has no 0-RTT
	if !offers12(c.hello) {
		return nil
	}
	h := *c.hello
	switch {
	case sess.Ticket != nil && h.HasExtension(handshake.ExtSessionTicket):
		h.Extensions = append([]handshake.Extension{}, h.Extensions...)
		for i := range h.Extensions {
			if h.Extensions[i].Type == handshake.ExtSessionTicket {
				h.Extensions[i].Data = sess.Ticket
			}
		}
	case len(sess.ID) > 0:
		h.SessionID = sess.ID
	default:
		return nil
	}
	raw := handshake.Marshal(&h)
	if err := handshake.Unmarshal(raw, &h); err != nil {
		return internal(err)
	}
	c.hello, c.helloRaw, c.offered = &h, raw, sess
	return nil
}
