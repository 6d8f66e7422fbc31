package machine

import (
	"crypto"
	"crypto/hmac"
	"crypto/hpke"
	"crypto/tls"
	"io"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// The server's states, in order:
//
//	serverExpectClientHello → (HelloRetryRequest: serverExpectClientHello again)
//	→ serverExpectFinished → Traffic

// NewServer returns the state that waits for the first ClientHello.
func NewServer(cfg *Config) State {
	return &serverExpectClientHello{cfg: cfg}
}

// serverExpectClientHello waits for a ClientHello. After a HelloRetryRequest
// it waits for the second one, with the suite and group already fixed.
type serverExpectClientHello struct {
	cfg   *Config
	retry *serverRetry
}

// serverRetry is what a HelloRetryRequest fixed for the second hello.
type serverRetry struct {
	prefix []byte // message_hash and HelloRetryRequest: the transcript so far
	suite  *handshake.Suite
	group  uint16
	sentCC bool
	// pskUsable: the first hello offered a ticket the retry's suite fits,
	// which the second hello must offer again.
	pskUsable bool
	// earlyWanted: the first hello carried early data, refused by the retry.
	earlyWanted bool
	// echRecipient: the first inner hello was taken; it opens the second.
	echRecipient *hpke.Recipient
}

// serverChoice is what the server negotiated from a ClientHello.
type serverChoice struct {
	suite  *handshake.Suite
	group  uint16
	share  []byte // client's share for group; nil means HelloRetryRequest (unless PSK-only)
	cert   *tls.Certificate
	scheme uint16
	alpn   string
	// A ticket being resumed, which identity carried it, and the PSK mode.
	psk      *Session
	pskEarly handshake.EarlySecret // psk's early secret, from checking its binder
	pskIndex int
	pskMode  uint8
	early    bool     // 0-RTT data is accepted
	sniAck   bool     // the hello named a server: acknowledge it (RFC 6066 section 3)
	compress []uint16 // certificate compression the client takes (RFC 8879)
	alps     uint16   // ALPS code point to answer with; 0: no ALPS
	// The client asked for the OCSP staple and the SCTs.
	askedOCSP, askedSCT bool
	earlyReason         EarlyDataReason // why 0-RTT the hello carried is not taken
	// ECH: the inner hello was taken, or an offer was declined (retry
	// configurations go back in EncryptedExtensions); the HPKE context
	// that opened it.
	echAccepted, echDeclined bool
	echRecipient             *hpke.Recipient
}

// needsRetry reports whether the hello lacks a usable key share.
func (c *serverChoice) needsRetry() bool {
	return c.share == nil && !(c.psk != nil && c.pskMode == pskModeKE)
}

func (s *serverExpectClientHello) Handle(raw []byte, out Sink) (State, error) {
	ch, err := expect[handshake.ClientHello](raw)
	if err != nil {
		return nil, err
	}
	if err := out.EndOfFlight(); err != nil {
		return nil, err
	}
	out.HelloSeen(ch)
	var ech echResult
	switch {
	case s.retry == nil:
		if ech, err = s.cfg.openECH(ch, raw); err != nil {
			return nil, err
		}
	case s.retry.echRecipient != nil: // the first inner hello was taken: so is the second
		if ech.inner, ech.innerRaw, err = openECHRetry(s.retry.echRecipient, ch, raw); err != nil {
			return nil, err
		}
		ech.offered = true
	}
	if s.retry == nil && ech.inner == nil && !(contains(ch.SupportedVersions, handshake.VersionTLS13) && s.cfg.allows(handshake.VersionTLS13)) {
		return s.handleClientHello12(ch, raw, out)
	}
	if ech.inner != nil {
		ch, raw = ech.inner, ech.innerRaw
	}
	choice, err := s.choose(ch, raw)
	if err != nil {
		return nil, err
	}
	choice.echAccepted, choice.echDeclined, choice.echRecipient = ech.inner != nil, ech.offered && ech.inner == nil, ech.recipient
	if choice.needsRetry() {
		if s.retry != nil {
			return nil, illegal("second ClientHello has no share for the requested group")
		}
		return s.sendRetry(ch, raw, choice, out)
	}
	return s.sendServerFlight(ch, raw, choice, out)
}

// choose negotiates with a hello and looks for a ticket it may resume.
func (s *serverExpectClientHello) choose(ch *handshake.ClientHello, raw []byte) (*serverChoice, error) {
	choice, err := s.negotiate(ch)
	if err != nil {
		return nil, err
	}
	if err := s.acceptPSK(ch, raw, choice); err != nil {
		return nil, err
	}
	return choice, nil
}

// negotiate picks version, suite, group, certificate and ALPN.
func (s *serverExpectClientHello) negotiate(ch *handshake.ClientHello) (*serverChoice, error) {
	if !contains(ch.SupportedVersions, handshake.VersionTLS13) {
		return nil, record.Errorf(record.AlertProtocolVersion, "client does not offer TLS 1.3")
	}
	if ch.Version < handshake.VersionTLS12 { // RFC 8446 section 4.1.2 and appendix D.5
		return nil, record.Errorf(record.AlertProtocolVersion, "TLS 1.3 ClientHello with legacy_version %#04x", ch.Version)
	}
	if len(ch.CompressionMethods) != 1 || ch.CompressionMethods[0] != 0 {
		return nil, illegal("TLS 1.3 ClientHello must offer only null compression")
	}
	if s.retry != nil && s.retry.pskUsable && len(ch.PSKIdentities) == 0 {
		return nil, illegal("the second ClientHello dropped the PSKs of the first")
	}
	if s.retry != nil && ch.EarlyData {
		return nil, illegal("early_data in the second ClientHello")
	}
	c := &serverChoice{sniAck: ch.ServerName != "", compress: ch.CompressCertificate, askedOCSP: ch.StatusRequest, askedSCT: ch.SCT}
	for _, suite := range s.cfg.suites() {
		if contains(ch.CipherSuites, suite.ID) {
			c.suite = suite
			break
		}
	}
	if s.retry != nil {
		if !contains(ch.CipherSuites, s.retry.suite.ID) {
			return nil, illegal("second ClientHello drops the chosen cipher suite")
		}
		c.suite = s.retry.suite
	}
	if c.suite == nil {
		return nil, noSuiteInCommon(ch.CipherSuites, "no cipher suite in common")
	}
	if err := s.pickGroup(ch, c); err != nil {
		return nil, err
	}
	if err := s.pickCertificate(ch, c); err != nil {
		return nil, err
	}
	if err := s.pickALPN(ch, c); err != nil {
		return nil, err
	}
	if settings, ok := s.cfg.ApplicationSettings[c.alpn]; ok && settings != nil && c.alpn != "" {
		if codepoint, protos, offered := alpsOffer(ch); offered && contains(protos, c.alpn) {
			c.alps = codepoint
		}
	}
	return c, nil
}

func (s *serverExpectClientHello) pickGroup(ch *handshake.ClientHello, c *serverChoice) error {
	if ch.SupportedGroups == nil || ch.KeyShares == nil {
		return record.Errorf(record.AlertMissingExtension, "ClientHello without supported_groups or key_share")
	}
	shares := map[uint16][]byte{}
	for _, ks := range ch.KeyShares {
		if _, dup := shares[ks.Group]; dup {
			return illegal("key share for group %#04x is duplicated", ks.Group)
		}
		if !contains(ch.SupportedGroups, ks.Group) {
			// RFC 8446 section 4.2.8 lets a server refuse this; like
			// crypto/tls, ignore the share (some uTLS shapes send one).
			continue
		}
		shares[ks.Group] = ks.Data
	}
	if s.retry != nil {
		if len(ch.KeyShares) != 1 || ch.KeyShares[0].Group != s.retry.group {
			return illegal("second ClientHello must carry one share, for group %#04x", s.retry.group)
		}
		c.group, c.share = s.retry.group, ch.KeyShares[0].Data
		return nil
	}
	for _, g := range s.cfg.groups() {
		if contains(ch.SupportedGroups, g) {
			if data, ok := shares[g]; ok {
				c.group, c.share = g, data
				return nil
			}
			if c.group == 0 {
				c.group = g // best common group; asked for by HelloRetryRequest if no share fits
			}
		}
	}
	if c.group == 0 {
		return record.Errorf(record.AlertHandshakeFailure, "no key exchange group in common")
	}
	return nil
}

func (s *serverExpectClientHello) pickCertificate(ch *handshake.ClientHello, c *serverChoice) error {
	if ch.SignatureAlgorithms == nil {
		return record.Errorf(record.AlertMissingExtension, "ClientHello without signature_algorithms")
	}
	certs, err := s.candidateCertificates(ch)
	if err != nil {
		return err
	}
	if c.cert, c.scheme = chooseCertificate(certs, agreed(s.cfg.schemes13(), ch.SignatureAlgorithms)); c.cert == nil {
		return record.Errorf(record.AlertHandshakeFailure, "no certificate fits the client's signature algorithms")
	}
	return nil
}

// chooseCertificate returns the first chain whose key can sign (TLS 1.3
// rules) with one of the peer's schemes, and that scheme; nil when none can.
func chooseCertificate(certs []tls.Certificate, peerSchemes []uint16) (*tls.Certificate, uint16) {
	return chooseCertificateWith(pickScheme, certs, peerSchemes)
}

// chooseCertificate12 is chooseCertificate with TLS 1.2's schemes.
func chooseCertificate12(certs []tls.Certificate, peerSchemes []uint16) (*tls.Certificate, uint16) {
	return chooseCertificateWith(pickScheme12, certs, peerSchemes)
}

func chooseCertificateWith(pick func(crypto.PublicKey, []uint16) (uint16, bool), certs []tls.Certificate, peerSchemes []uint16) (*tls.Certificate, uint16) {
	for i := range certs {
		cert := &certs[i]
		signer, ok := cert.PrivateKey.(crypto.Signer)
		if !ok || len(cert.Certificate) == 0 {
			continue
		}
		if scheme, ok := pick(signer.Public(), peerSchemes); ok {
			return cert, scheme
		}
	}
	return nil, 0
}

// candidateCertificates are the certificates that may serve this hello:
// GetCertificate's choice (Node's SNICallback) or Certificates.
func (s *serverExpectClientHello) candidateCertificates(ch *handshake.ClientHello) ([]tls.Certificate, error) {
	if s.cfg.GetCertificate != nil {
		cert, err := s.cfg.GetCertificate(&ClientHelloInfo{ServerName: ch.ServerName, SignatureSchemes: ch.SignatureAlgorithms,
			SupportedProtos: ch.ALPN, Fingerprint: ch.Fingerprint()})
		if err != nil {
			return nil, record.Errorf(record.AlertUnrecognizedName, "no certificate for %q: %v", ch.ServerName, err)
		}
		if cert != nil {
			return []tls.Certificate{*cert}, nil
		}
	}
	return s.cfg.Certificates, nil
}

func (s *serverExpectClientHello) pickALPN(ch *handshake.ClientHello, c *serverChoice) error {
	var err error
	c.alpn, err = s.negotiateALPN(ch)
	return err
}

// negotiateALPN picks the server's first protocol the client offers.
func (s *serverExpectClientHello) negotiateALPN(ch *handshake.ClientHello) (string, error) {
	if len(ch.ALPN) == 0 || len(s.cfg.NextProtos) == 0 {
		return "", nil
	}
	for _, p := range s.cfg.NextProtos {
		if contains(ch.ALPN, p) {
			return p, nil
		}
	}
	return "", record.Errorf(record.AlertNoApplicationProtocol, "no ALPN protocol in common (client offers %q)", ch.ALPN)
}

func (s *serverExpectClientHello) sendRetry(ch *handshake.ClientHello, raw []byte, c *serverChoice, out Sink) (State, error) {
	hrr := &handshake.ServerHello{
		Version:     handshake.VersionTLS12,
		Random:      handshake.HelloRetryRandom(),
		SessionID:   ch.SessionID,
		CipherSuite: c.suite.ID,
		Extensions: []handshake.Extension{
			handshake.Uint16Ext(handshake.ExtSupportedVersions, handshake.VersionTLS13),
			handshake.Uint16Ext(handshake.ExtKeyShare, c.group),
		},
	}
	if c.echAccepted { // draft-ietf-tls-esni section 7.2.1
		hrr.Extensions = append(hrr.Extensions, handshake.Extension{Type: extECH, Data: make([]byte, 8)})
		confirmation, err := hrrECHConfirmation(c.suite, ch.Random[:], raw, handshake.Marshal(hrr))
		if err != nil {
			return nil, internal(err)
		}
		hrr.Extensions[len(hrr.Extensions)-1].Data = confirmation
	}
	hrrRaw := handshake.Marshal(hrr)
	prefix := append(handshake.MessageHash(c.suite, raw), hrrRaw...)
	if err := out.SendMessage(hrrRaw); err != nil {
		return nil, err
	}
	if ch.EarlyData {
		out.EarlyData().Skip(s.cfg.earlySkipBudget())
	}
	sentCCS := len(ch.SessionID) > 0
	if sentCCS {
		if err := out.SendChangeCipherSpec(); err != nil {
			return nil, err
		}
	}
	return &serverExpectClientHello{cfg: s.cfg, retry: &serverRetry{prefix: prefix, suite: c.suite, group: c.group, sentCC: sentCCS, earlyWanted: ch.EarlyData, echRecipient: c.echRecipient,
		pskUsable: s.usableTicket(ch, c.suite)}}, nil
}

// usableTicket reports whether a hello offers a ticket of ours that the
// suite chosen for a HelloRetryRequest could resume: the second hello may
// drop only the PSKs that do not fit it (RFC 8446 section 4.1.2).
func (s *serverExpectClientHello) usableTicket(ch *handshake.ClientHello, suite *handshake.Suite) bool {
	if s.cfg.TicketKeys == nil {
		return false
	}
	for _, id := range ch.PSKIdentities {
		if sess := s.cfg.openTicket(id.Identity); sess != nil && sess.Version == handshake.VersionTLS13 {
			if ts := handshake.Suite13ByID(sess.Suite); ts != nil && ts.Hash == suite.Hash {
				return true
			}
		}
	}
	return false
}

func randomBytes(r io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, internal(err)
	}
	return b, nil
}

// sendServerFlight answers an acceptable ClientHello with ServerHello,
// EncryptedExtensions, Certificate, CertificateVerify and Finished.
func (s *serverExpectClientHello) sendServerFlight(ch *handshake.ClientHello, raw []byte, c *serverChoice, out Sink) (State, error) {
	random, err := randomBytes(s.cfg.rand(), 32)
	if err != nil {
		return nil, err
	}
	sh := &handshake.ServerHello{Version: handshake.VersionTLS12, SessionID: ch.SessionID, CipherSuite: c.suite.ID}
	shared := make([]byte, c.suite.Hash.Size()) // zeros: the IKM of PSK-only resumption
	if c.psk == nil || c.pskMode == pskModeDHEKE {
		share, secret, err := handshake.AnswerKeyShare(c.group, c.share, s.cfg.rand())
		if err != nil {
			return nil, err
		}
		shared = secret
		sh.Extensions = append(sh.Extensions, handshake.KeyShareServerExt(handshake.KeyShare{Group: c.group, Data: share}))
	}
	sh.Extensions = append(sh.Extensions, handshake.Uint16Ext(handshake.ExtSupportedVersions, handshake.VersionTLS13))
	if c.psk != nil {
		sh.Extensions = append(sh.Extensions, handshake.Uint16Ext(handshake.ExtPreSharedKey, uint16(c.pskIndex)))
	}
	copy(sh.Random[:], random)
	if c.echAccepted {
		clear(sh.Random[24:])
		var prefix []byte
		if s.retry != nil {
			prefix = s.retry.prefix
		}
		confirmation, err := echConfirmation(c.suite, ch.Random[:], prefix, raw, handshake.Marshal(sh))
		if err != nil {
			return nil, internal(err)
		}
		copy(sh.Random[24:], confirmation)
	}
	shRaw := handshake.Marshal(sh)
	t := handshake.NewTranscript(c.suite)
	if s.retry != nil {
		t.Add(s.retry.prefix)
	}
	t.Add(raw)
	early := c.pskEarly // extracted once, for the binder
	if c.psk == nil {
		early = handshake.NewEarlySecret(c.suite, nil)
	}
	var earlySecret []byte
	if c.early {
		earlySecret = early.ClientEarlyTrafficSecret(t.Sum())
		s.cfg.logKey("CLIENT_EARLY_TRAFFIC_SECRET", ch.Random, earlySecret)
	}
	t.Add(shRaw)
	hs := early.HandshakeSecret(shared)
	th := t.Sum()
	clientHS, serverHS := hs.ClientTrafficSecret(th), hs.ServerTrafficSecret(th)
	s.cfg.logKey("CLIENT_HANDSHAKE_TRAFFIC_SECRET", ch.Random, clientHS)
	s.cfg.logKey("SERVER_HANDSHAKE_TRAFFIC_SECRET", ch.Random, serverHS)
	if err := out.SendMessage(shRaw); err != nil {
		return nil, err
	}
	if len(ch.SessionID) > 0 && (s.retry == nil || !s.retry.sentCC) {
		if err := out.SendChangeCipherSpec(); err != nil {
			return nil, err
		}
	}
	if err := setWriteSecret(out, LevelHandshake, c.suite, serverHS); err != nil {
		return nil, err
	}
	if c.early {
		if err := setReadSecret(out, LevelEarly, c.suite, earlySecret); err != nil {
			return nil, err
		}
		out.EarlyData().Expect(int(s.cfg.MaxEarlyData))
	} else {
		if err := setReadSecret(out, LevelHandshake, c.suite, clientHS); err != nil {
			return nil, err
		}
		if ch.EarlyData {
			out.EarlyData().Skip(s.cfg.earlySkipBudget())
		}
	}
	msgs, err := s.encryptedFlight(c, t, serverHS)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		if err := out.SendMessage(m); err != nil {
			return nil, err
		}
	}
	ms := hs.MasterSecret()
	th = t.Sum()
	clientApp, serverApp := ms.ClientTrafficSecret(th), ms.ServerTrafficSecret(th)
	s.cfg.logKey("CLIENT_TRAFFIC_SECRET_0", ch.Random, clientApp)
	s.cfg.logKey("SERVER_TRAFFIC_SECRET_0", ch.Random, serverApp)
	exporter := ms.ExporterSecret(th) // derived once, for the key log and the connection
	s.cfg.logKey("EXPORTER_SECRET", ch.Random, exporter)
	if err := setWriteSecret(out, LevelApplication, c.suite, serverApp); err != nil {
		return nil, err
	}
	state := out.Negotiated()
	*state = ConnectionState{
		Version:              handshake.VersionTLS13,
		ExtendedMasterSecret: true,
		CipherSuite:          c.suite.ID,
		NegotiatedProtocol:   c.alpn,
		ServerName:           ch.ServerName,
		DidHelloRetry:        s.retry != nil,
		DidResume:            c.psk != nil,
		EarlyDataAccepted:    c.early,
		EarlyDataReason:      c.earlyReason,
		ECHAccepted:          c.echAccepted,
	}
	if s.retry != nil && s.retry.earlyWanted {
		state.EarlyDataReason = EarlyHelloRetry
	}
	if c.psk == nil {
		state.LocalSignatureScheme = c.scheme
	}
	if c.psk == nil || c.pskMode == pskModeDHEKE {
		state.Group = tls.CurveID(c.group)
	}
	if c.psk != nil {
		c.psk.restoreAuth(state) // the client authenticated in the original handshake
	}
	fin := &serverExpectFinished{cfg: s.cfg, suite: c.suite, t: t, clientHS: clientHS, clientApp: clientApp,
		serverApp: serverApp, exporter: exporter, master: ms, state: state,
		// Tickets only for a mode the client can use them with (RFC 8446
		// section 4.2.9).
		tickets: s.cfg.TicketKeys != nil && (contains(ch.PSKModes, pskModeDHEKE) || contains(ch.PSKModes, pskModeKE))}
	if fin.tickets && s.halfRTTTickets(c) {
		// 0.5-RTT tickets: the client's Finished is predictable here, so
		// the resumption secret is too (RFC 8446 section 4.6.1).
		predicted := handshake.Marshal(&handshake.Finished{VerifyData: c.suite.FinishedMAC(clientHS, t.Sum())})
		after := handshake.NewTranscript(c.suite)
		if s.retry != nil {
			after.Add(s.retry.prefix)
		}
		after.Add(raw, shRaw)
		after.Add(msgs...)
		after.Add(predicted)
		if err := issueTickets(s.cfg, c.suite, ms.ResumptionSecret(after.Sum()), state, out); err != nil {
			return nil, err
		}
		fin.tickets = false
	}
	var next State = fin
	if s.cfg.ClientAuth != tls.NoClientCert && c.psk == nil {
		next = &serverExpectClientCertificate{cfg: s.cfg, fin: fin}
	}
	if c.alps != 0 && !c.early {
		next = &serverExpectClientEncryptedExtensions{next: next, t: t, state: fin.state}
	}
	if c.early {
		return &serverExpectEndOfEarlyData{next: next, suite: c.suite, clientHS: clientHS, t: t}, nil
	}
	return next, nil
}

// halfRTTTickets reports whether tickets go out with the server's flight:
// 0.5-RTT asked for, and nothing unpredictable (a client certificate,
// EndOfEarlyData, the client's ALPS EncryptedExtensions) before the
// client's Finished.
func (s *serverExpectClientHello) halfRTTTickets(c *serverChoice) bool {
	return s.cfg.HalfRTT && s.cfg.ClientAuth == tls.NoClientCert && !c.early && c.alps == 0
}

// encryptedFlight builds EncryptedExtensions through Finished, adding each to
// the transcript.
func (s *serverExpectClientHello) encryptedFlight(c *serverChoice, t *handshake.Transcript, serverHS []byte) ([][]byte, error) {
	ee := &handshake.EncryptedExtensions{Extensions: []handshake.Extension{}}
	if c.sniAck {
		ee.Extensions = append(ee.Extensions, handshake.EmptyExt(handshake.ExtServerName))
	}
	if c.alps != 0 && !c.early { // with 0-RTT, ALPS is not negotiated
		ee.Extensions = append(ee.Extensions, handshake.Extension{Type: c.alps, Data: append([]byte{}, s.cfg.ApplicationSettings[c.alpn]...)})
	}
	if c.alpn != "" {
		ee.Extensions = append(ee.Extensions, handshake.ALPNExt([]string{c.alpn}))
	}
	if c.early {
		ee.Extensions = append(ee.Extensions, handshake.EmptyExt(handshake.ExtEarlyData))
	}
	if retry := s.cfg.retryConfigs(); c.echDeclined && retry != nil {
		ee.Extensions = append(ee.Extensions, handshake.Extension{Type: extECH, Data: retry})
	}
	cert := &handshake.Certificate{}
	for _, der := range c.cert.Certificate {
		cert.Entries = append(cert.Entries, handshake.CertificateEntry{Data: der})
	}
	cert.Entries[0].Extensions = leafExtensions13(c.cert, c.askedOCSP, c.askedSCT)
	eeRaw, certRaw := handshake.Marshal(ee), handshake.Marshal(cert)
	if cc, ok := compressCertificate(certRaw, s.cfg.CertCompression, c.compress); ok {
		certRaw = handshake.Marshal(cc)
	}
	msgs := [][]byte{eeRaw}
	t.Add(eeRaw)
	if c.psk != nil { // resumption: the PSK authenticates, no certificates
		finRaw := handshake.Marshal((&handshake.Finished{VerifyData: c.suite.FinishedMAC(serverHS, t.Sum())}))
		t.Add(finRaw)
		return append(msgs, finRaw), nil
	}
	if s.cfg.ClientAuth != tls.NoClientCert {
		exts := []handshake.Extension{handshake.Uint16ListExt(handshake.ExtSignatureAlgorithms, s.cfg.schemes13())}
		if names := acceptableCAs(s.cfg.ClientCAs); len(names) > 0 {
			exts = append(exts, handshake.CertificateAuthoritiesExt(names))
		}
		req := handshake.Marshal((&handshake.CertificateRequest{Extensions: exts}))
		msgs = append(msgs, req)
		t.Add(req)
	}
	msgs = append(msgs, certRaw)
	t.Add(certRaw)
	sig, err := sign(c.cert.PrivateKey.(crypto.Signer), c.scheme, signedContent(serverSignatureContext, t.Sum()), s.cfg.rand())
	if err != nil {
		return nil, err
	}
	cvRaw := handshake.Marshal((&handshake.CertificateVerify{Scheme: c.scheme, Signature: sig}))
	t.Add(cvRaw)
	finRaw := handshake.Marshal((&handshake.Finished{VerifyData: c.suite.FinishedMAC(serverHS, t.Sum())}))
	t.Add(finRaw)
	return append(msgs, cvRaw, finRaw), nil
}

// serverExpectFinished waits for the client's Finished.
type serverExpectFinished struct {
	cfg                            *Config
	suite                          *handshake.Suite
	t                              *handshake.Transcript
	clientHS, clientApp, serverApp []byte
	exporter                       []byte
	master                         handshake.MasterSecret
	state                          *ConnectionState
	tickets                        bool // issue NewSessionTickets once done
}

func (s *serverExpectFinished) Handle(raw []byte, out Sink) (State, error) {
	fin, err := expect[handshake.Finished](raw)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(s.suite.FinishedMAC(s.clientHS, s.t.Sum()), fin.VerifyData) {
		return nil, record.Errorf(record.AlertDecryptError, "client Finished does not verify")
	}
	if err := s.cfg.runVerifyHooks(s.state, false); err != nil {
		return nil, err
	}
	if err := setReadSecret(out, LevelApplication, s.suite, s.clientApp); err != nil {
		return nil, err
	}
	s.t.Add(raw)
	out.Complete()
	if s.tickets {
		resumption := s.master.ResumptionSecret(s.t.Sum())
		if err := issueTickets(s.cfg, s.suite, resumption, s.state, out); err != nil {
			return nil, err
		}
	}
	return &Traffic{suite: s.suite, readSecret: s.clientApp, writeSecret: s.serverApp, exporter: s.exporter}, nil
}
