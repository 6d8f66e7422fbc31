package machine

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"time"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// The server's TLS 1.2 states (full handshake):
//
//	serverExpectClientHello → sends ServerHello Certificate ServerKeyExchange
//	[CertificateRequest] ServerHelloDone → [server12ExpectClientCertificate]
//	→ server12ExpectClientKeyExchange → [server12ExpectCertificateVerify]
//	→ server12ExpectChangeCipherSpec → [server12ExpectNextProtocol]
//	→ server12ExpectFinished → sends CCS Finished → Traffic

// server12 is what every TLS 1.2 server state shares: what the ClientHello
// settled (suite, randoms, ALPN or NPN), the connection state being filled,
// and the transcript and master secret, which grow. What only some states
// need travels in them.
type server12 struct {
	tls12State
	cfg   *Config
	sess  session12
	t     transcript12
	npn   bool             // NPN was negotiated: a NextProtocol comes before Finished
	state *ConnectionState // the engine's, filled as the handshake goes
	alpn  string
	// certStatus is the CertificateStatus message to send after
	// Certificate (the OCSP staple); nil for none.
	certStatus []byte
}

// keep12 is how a full handshake's session is kept once it completes: under
// the session ID the ServerHello announced, in a ticket, or both.
type keep12 struct {
	sessionID   []byte
	issueTicket bool
}

// offers12 reports whether a ClientHello accepts TLS 1.2.
func offers12(ch *handshake.ClientHello) bool {
	if ch.SupportedVersions != nil {
		return contains(ch.SupportedVersions, handshake.VersionTLS12)
	}
	return ch.Version >= handshake.VersionTLS12
}

func (s *serverExpectClientHello) handleClientHello12(ch *handshake.ClientHello, raw []byte, out Sink) (State, error) {
	if !offers12(ch) || !s.cfg.allows(handshake.VersionTLS12) {
		return nil, record.Errorf(record.AlertProtocolVersion, "no TLS version in common (client offers %#04x %x)", ch.Version, ch.SupportedVersions)
	}
	if contains(ch.CipherSuites, handshake.TLS_FALLBACK_SCSV) && s.cfg.allows(handshake.VersionTLS13) {
		// RFC 7507 section 3: a client retrying with a lower version than
		// both sides can speak is being downgraded.
		return nil, record.Errorf(record.AlertInappropriateFallback, "TLS_FALLBACK_SCSV in a TLS 1.2 ClientHello")
	}
	if len(ch.CompressionMethods) == 0 || !contains(ch.CompressionMethods, 0) {
		return nil, illegal("ClientHello does not offer null compression")
	}
	if len(ch.RenegotiationInfo) != 0 {
		return nil, record.Errorf(record.AlertHandshakeFailure, "renegotiation_info is not empty on a first handshake")
	}
	if !ch.ExtendedMasterSecret && s.cfg.RequireExtendedMasterSecret {
		return nil, record.Errorf(record.AlertHandshakeFailure, "client does not offer extended master secret (RFC 7627), which is required")
	}
	if ch.ECPointFormats != nil && !contains(ch.ECPointFormats, 0) {
		// RFC 8422 section 5.1.2: uncompressed points are mandatory.
		return nil, illegal("ec_point_formats without the uncompressed format")
	}
	if ch.SignatureAlgorithms == nil {
		return nil, record.Errorf(record.AlertHandshakeFailure, "ClientHello without signature_algorithms")
	}
	st := &server12{cfg: s.cfg}
	cert, scheme, err := s.pick12(ch, st)
	if err != nil {
		return nil, err
	}
	group := uint16(0)
	for _, g := range s.cfg.groups() {
		if contains(groups12, g) && contains(ch.SupportedGroups, g) {
			group = g
			break
		}
	}
	if group == 0 {
		return nil, record.Errorf(record.AlertHandshakeFailure, "no ECDHE group in common")
	}
	alpn, err := s.negotiateALPN(ch)
	if err != nil {
		return nil, err
	}
	st.alpn = alpn
	// Only sessions with the extended master secret are kept, and only a
	// hello that offers it resumes one (RFC 7627 section 5.3).
	if sess := s.resumable(ch); sess != nil && ch.ExtendedMasterSecret {
		return st.resume(ch, raw, sess, out)
	}
	var keep keep12
	st.sess.ems = ch.ExtendedMasterSecret
	exts := securityExtensions(ch)
	if ch.ServerName != "" { // acknowledged on full handshakes only (RFC 6066 section 3)
		exts = append(exts, handshake.EmptyExt(handshake.ExtServerName))
	}
	if s.cfg.TicketKeys != nil && ch.SessionTicket != nil && st.sess.ems {
		exts = append(exts, handshake.EmptyExt(handshake.ExtSessionTicket))
		keep.issueTicket = true
	}
	exts = append(exts, st.protocolExtensions(ch)...)
	random, err := randomBytes(s.cfg.rand(), 32)
	if err != nil {
		return nil, err
	}
	if s.cfg.allows(handshake.VersionTLS13) {
		handshake.MarkDowngradeTLS12(random) // RFC 8446 section 4.1.3
	}
	if s.cfg.ServerSessionCache != nil && st.sess.ems {
		if keep.sessionID, err = randomBytes(s.cfg.rand(), 32); err != nil {
			return nil, err
		}
	}
	sh := &handshake.ServerHello{Version: handshake.VersionTLS12, CipherSuite: st.sess.suite.ID, SessionID: keep.sessionID, Extensions: exts}
	copy(sh.Random[:], random)
	st.sess.clientRandom, st.sess.serverRandom = ch.Random[:], sh.Random[:]
	st.state = out.Negotiated()
	*st.state = ConnectionState{Version: handshake.VersionTLS12, CipherSuite: st.sess.suite.ID, Group: tls.CurveID(group),
		NegotiatedProtocol: alpn, ServerName: ch.ServerName, ExtendedMasterSecret: st.sess.ems}
	st.t.add(raw)
	staplingExts, status := stapling12(cert, ch)
	sh.Extensions = append(sh.Extensions, staplingExts...)
	st.certStatus = status
	return st.sendFlight(out, sh, cert, scheme, group, keep)
}

// pick12 chooses the suite and the certificate that authenticates it.
func (s *serverExpectClientHello) pick12(ch *handshake.ClientHello, st *server12) (*tls.Certificate, uint16, error) {
	certs, err := s.candidateCertificates(ch)
	if err != nil {
		return nil, 0, err
	}
	for _, suite := range s.cfg.serverSuites12() {
		if !contains(ch.CipherSuites, suite.ID) {
			continue
		}
		for i := range certs {
			signer, ok := certs[i].PrivateKey.(crypto.Signer)
			if !ok || len(certs[i].Certificate) == 0 || isECDSAish(signer.Public()) != suite.ECDSA || !curveOffered(signer.Public(), ch.SupportedGroups) {
				continue
			}
			if scheme, ok := pickScheme12(signer.Public(), agreed(s.cfg.schemes12(), ch.SignatureAlgorithms)); ok {
				st.sess.suite = suite
				return &certs[i], scheme, nil
			}
		}
	}
	return nil, 0, noSuiteInCommon(ch.CipherSuites, "no TLS 1.2 cipher suite and certificate in common")
}

// sendFlight sends ServerHello through ServerHelloDone.
func (st *server12) sendFlight(out Sink, sh *handshake.ServerHello, cert *tls.Certificate, scheme, group uint16, keep keep12) (State, error) {
	key, pub, err := handshake.NewClientKeyShare(group, st.cfg.rand()) // an ephemeral key pair; the type serves both roles
	if err != nil {
		return nil, internal(err)
	}
	ske := &handshake.ServerKeyExchange{Group: group, Public: pub, Scheme: scheme}
	st.state.LocalSignatureScheme = scheme
	ske.Signature, err = sign(cert.PrivateKey.(crypto.Signer), scheme,
		serverKeyExchangeContent(st.sess.clientRandom, st.sess.serverRandom, ske), st.cfg.rand())
	if err != nil {
		return nil, err
	}
	msgs := [][]byte{handshake.Marshal(sh), handshake.Marshal((&handshake.Certificate12{Chain: cert.Certificate}))}
	if st.certStatus != nil {
		msgs = append(msgs, st.certStatus)
	}
	msgs = append(msgs, handshake.Marshal(ske))
	askCert := st.cfg.ClientAuth != tls.NoClientCert
	if askCert {
		msgs = append(msgs, handshake.Marshal((&handshake.CertificateRequest12{CertificateTypes: []uint8{certTypeRSASign, certTypeECDSASign}, SignatureAlgorithms: st.cfg.schemes12(),
			Authorities: acceptableCAs(st.cfg.ClientCAs)})))
	}
	msgs = append(msgs, handshake.EmptyMessage(handshake.TypeServerHelloDone))
	for _, m := range msgs {
		if err := st.send(out, m); err != nil {
			return nil, err
		}
	}
	cke := &server12ExpectClientKeyExchange{server12: st, key: key, keep: keep}
	if askCert {
		return &server12ExpectClientCertificate{next: cke}, nil
	}
	return cke, nil
}

func (st *server12) send(out Sink, msg []byte) error {
	st.t.add(msg)
	return out.SendMessage(msg)
}

// server12ExpectClientCertificate takes the client's Certificate and goes on
// to its ClientKeyExchange.
type server12ExpectClientCertificate struct {
	tls12State // a CCS here is unexpected
	next       *server12ExpectClientKeyExchange
}

func (s *server12ExpectClientCertificate) Handle(raw []byte, out Sink) (State, error) {
	msg, err := expect[handshake.Certificate12](raw)
	if err != nil {
		return nil, err
	}
	next := s.next
	next.t.add(raw)
	if err := authorizeClient(next.cfg, msg.Chain, next.state); err != nil {
		return nil, err
	}
	next.needVerify = len(msg.Chain) > 0
	return next, nil
}

// server12ExpectClientKeyExchange carries the server's ECDHE key to the
// client's share, whether a CertificateVerify must follow, and how the
// session will be kept.
type server12ExpectClientKeyExchange struct {
	*server12
	key        *handshake.ClientKeyShare
	needVerify bool
	keep       keep12
}

func (s *server12ExpectClientKeyExchange) Handle(raw []byte, out Sink) (State, error) {
	cke, err := expect[handshake.ClientKeyExchange](raw)
	if err != nil {
		return nil, err
	}
	shared, err := s.key.SharedSecret(cke.Public)
	if err != nil {
		return nil, err
	}
	s.t.add(raw)
	s.sess.deriveMaster(shared, &s.t)
	s.cfg.logKey("CLIENT_RANDOM", [32]byte(s.sess.clientRandom), s.sess.master)
	next := &server12ExpectChangeCipherSpec{server12: s.server12, keep: s.keep}
	if s.needVerify {
		return &server12ExpectCertificateVerify{next: next}, nil
	}
	return next, nil
}

// server12ExpectCertificateVerify checks the client's signature over the
// transcript, then waits for its CCS.
type server12ExpectCertificateVerify struct {
	tls12State // a CCS here is unexpected
	next       *server12ExpectChangeCipherSpec
}

func (s *server12ExpectCertificateVerify) Handle(raw []byte, out Sink) (State, error) {
	cv, err := expect[handshake.CertificateVerify](raw)
	if err != nil {
		return nil, err
	}
	if !contains(s.next.cfg.schemes12(), cv.Scheme) {
		return nil, illegal("client signed with scheme %#04x, which was not requested", cv.Scheme)
	}
	next := s.next
	if err := verifySignature12(next.state.PeerCertificates[0].PublicKey, cv.Scheme, next.t.msgs, cv.Signature); err != nil {
		return nil, err
	}
	next.state.PeerSignatureScheme = cv.Scheme
	next.t.add(raw)
	return next, nil
}

// server12ExpectChangeCipherSpec waits for the client's CCS; resumed is true
// in an abbreviated handshake, where the server's Finished went first.
type server12ExpectChangeCipherSpec struct {
	*server12
	keep    keep12
	resumed bool
}

// Handle refuses every message: the client's ChangeCipherSpec comes first.
func (s *server12ExpectChangeCipherSpec) Handle(raw []byte, out Sink) (State, error) {
	return nil, unexpected(raw, "ChangeCipherSpec")
}

// ChangeCipherSpec switches to the client's write key.
func (s *server12ExpectChangeCipherSpec) ChangeCipherSpec(out Sink) (State, error) {
	clientProt, serverProt, err := s.sess.protectors()
	if err != nil {
		return nil, err
	}
	if err := out.SetReadKey(LevelApplication, clientProt); err != nil {
		return nil, err
	}
	next := &server12ExpectFinished{server12: s.server12, serverProt: serverProt, keep: s.keep, resumed: s.resumed}
	if s.npn {
		return &server12ExpectNextProtocol{next}, nil
	}
	return next, nil
}

type server12ExpectNextProtocol struct{ *server12ExpectFinished }

func (s *server12ExpectNextProtocol) Handle(raw []byte, out Sink) (State, error) {
	np, err := expect[handshake.NextProtocol](raw)
	if err != nil {
		return nil, err
	}
	s.state.NPNProtocol = np.Protocol
	s.t.add(raw)
	return s.server12ExpectFinished, nil
}

// server12ExpectFinished waits for the client's Finished with the key its
// own answer goes under, how to keep the session, and whether it resumed.
type server12ExpectFinished struct {
	*server12
	serverProt record.Protector
	keep       keep12
	resumed    bool
}

func (s *server12ExpectFinished) Handle(raw []byte, out Sink) (State, error) {
	if err := s.sess.verifyFinished(true, &s.t, raw); err != nil {
		return nil, err
	}
	if err := s.cfg.runVerifyHooks(s.state, false); err != nil {
		return nil, err
	}
	if s.resumed {
		out.Complete()
		return traffic12(false, &s.sess), nil
	}
	sess := s.session()
	if s.keep.sessionID != nil {
		s.cfg.putServerSession(s.keep.sessionID, sess)
	}
	if s.keep.issueTicket {
		// With no key to seal it, the ticket is empty: the server said it
		// would send one (RFC 5077 section 3.3).
		ticket := s.cfg.sealTicket(sess)
		hint := uint32(ticketLifetime / time.Second)
		if err := s.send(out, handshake.Marshal((&handshake.NewSessionTicket12{LifetimeHint: hint, Ticket: ticket}))); err != nil {
			return nil, err
		}
	}
	if err := changeCipherSpec(out, s.serverProt); err != nil {
		return nil, err
	}
	if err := out.SendMessage(s.sess.finishedMessage(false, &s.t)); err != nil {
		return nil, err
	}
	out.Complete()
	return traffic12(false, &s.sess), nil
}

// session is what the server keeps of a full handshake for resumption.
func (st *server12) session() *Session {
	return (&Session{Version: handshake.VersionTLS12, Suite: st.sess.suite.ID, Master: st.sess.master,
		Context: st.cfg.SessionIDContext, ALPN: st.alpn, CreatedAt: st.cfg.now()}).rememberAuth(st.state)
}

// resumable finds the session a ClientHello asks to resume, by ticket or by
// session ID, if it may be resumed here: same context, a suite the client
// still offers, not expired.
func (s *serverExpectClientHello) resumable(ch *handshake.ClientHello) *Session {
	var sess *Session
	if len(ch.SessionTicket) > 0 {
		sess = s.cfg.openTicket(ch.SessionTicket)
	}
	if sess == nil && s.cfg.ServerSessionCache != nil && len(ch.SessionID) > 0 {
		sess = s.cfg.serverSession(ch.SessionID)
	}
	if sess == nil || sess.Version != handshake.VersionTLS12 || !bytes.Equal(sess.Context, s.cfg.SessionIDContext) ||
		!contains(ch.CipherSuites, sess.Suite) || handshake.Suite12ByID(sess.Suite) == nil {
		return nil
	}
	allowed := false
	for _, su := range s.cfg.serverSuites12() {
		allowed = allowed || su.ID == sess.Suite
	}
	if !allowed {
		return nil
	}
	return sess
}

// resume answers with an abbreviated handshake: ServerHello echoing the
// client's session ID, then at once ChangeCipherSpec and Finished.
func (st *server12) resume(ch *handshake.ClientHello, raw []byte, sess *Session, out Sink) (State, error) {
	random, err := randomBytes(st.cfg.rand(), 32)
	if err != nil {
		return nil, err
	}
	if st.cfg.allows(handshake.VersionTLS13) {
		handshake.MarkDowngradeTLS12(random)
	}
	exts := append(securityExtensions(ch), st.protocolExtensions(ch)...)
	sh := &handshake.ServerHello{Version: handshake.VersionTLS12, SessionID: ch.SessionID, CipherSuite: sess.Suite, Extensions: exts}
	copy(sh.Random[:], random)
	st.sess = session12{suite: handshake.Suite12ByID(sess.Suite), ems: true, master: sess.Master, clientRandom: ch.Random[:], serverRandom: sh.Random[:]}
	st.state = out.Negotiated()
	*st.state = ConnectionState{Version: handshake.VersionTLS12, CipherSuite: sess.Suite, NegotiatedProtocol: st.alpn, ServerName: ch.ServerName, DidResume: true, ExtendedMasterSecret: true}
	sess.restoreAuth(st.state)
	st.t.add(raw)
	if err := st.send(out, handshake.Marshal(sh)); err != nil {
		return nil, err
	}
	_, serverProt, err := st.sess.protectors()
	if err != nil {
		return nil, err
	}
	if err := changeCipherSpec(out, serverProt); err != nil {
		return nil, err
	}
	if err := st.send(out, st.sess.finishedMessage(false, &st.t)); err != nil {
		return nil, err
	}
	return &server12ExpectChangeCipherSpec{server12: st, resumed: true}, nil
}

// securityExtensions answers renegotiation_info and extended_master_secret,
// each only when the client offered it (RFC 5246 section 7.4.1.4): an
// empty renegotiation_info when the hello had the extension or the SCSV
// (RFC 5746 section 3.6).
func securityExtensions(ch *handshake.ClientHello) []handshake.Extension {
	var exts []handshake.Extension
	if ch.HasExtension(handshake.ExtRenegotiationInfo) || contains(ch.CipherSuites, handshake.TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
		exts = append(exts, handshake.BytesExt(handshake.ExtRenegotiationInfo, 1, nil))
	}
	if ch.ExtendedMasterSecret {
		exts = append(exts, handshake.EmptyExt(handshake.ExtExtendedMasterSecret))
	}
	return exts
}

// protocolExtensions answers ALPN, or else NPN (which belongs to each
// connection, resumed or not): ALPN wins when both are possible, as in OpenSSL.
func (st *server12) protocolExtensions(ch *handshake.ClientHello) []handshake.Extension {
	switch {
	case st.alpn != "":
		return []handshake.Extension{handshake.ALPNExt([]string{st.alpn})}
	case ch.NextProtoNeg && len(st.cfg.NPNProtocols) > 0:
		st.npn = true
		return []handshake.Extension{handshake.NPNExt(st.cfg.NPNProtocols)}
	}
	return nil
}
