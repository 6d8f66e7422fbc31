package machine

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// firstHello returns the ClientHello a client with cfg sends, decoded.
func firstHello(t *testing.T, cfg *Config) *handshake.ClientHello {
	t.Helper()
	var sink testSink
	if _, err := StartClient(cfg, &sink); err != nil {
		t.Fatal(err)
	}
	ch := new(handshake.ClientHello)
	if err := handshake.Unmarshal(sink.sent[0].msg, ch); err != nil {
		t.Fatal(err)
	}
	return ch
}

// ClientHellos a server must refuse, each with the alert its RFC names.
func TestServerRefusesClientHello(t *testing.T) {
	cases := []struct {
		name   string
		max    uint16 // the client's MaxVersion
		change func(ch *handshake.ClientHello)
		alert  record.Alert
	}{
		// RFC 8446 section 4.1.2 and appendix D.5: legacy_version is 0x0303
		// in a TLS 1.3 hello.
		{"TLS 1.3 hello with legacy_version 0x0301", 0, func(ch *handshake.ClientHello) { ch.Version = 0x0301 }, record.AlertProtocolVersion},
		{"TLS 1.3 hello with legacy_version 0x0300", 0, func(ch *handshake.ClientHello) { ch.Version = 0x0300 }, record.AlertProtocolVersion},
		// RFC 7507 section 3: TLS_FALLBACK_SCSV below the server's highest version.
		{"TLS_FALLBACK_SCSV in a TLS 1.2 hello", handshake.VersionTLS12, func(ch *handshake.ClientHello) {
			ch.CipherSuites = append(ch.CipherSuites, handshake.TLS_FALLBACK_SCSV)
		}, record.AlertInappropriateFallback},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clientCfg(t)
			c.MaxVersion = tc.max
			ch := firstHello(t, c)
			tc.change(ch)
			_, err := NewServer(serverCfg(t, certgen.ECDSAP256)).Handle(handshake.Marshal(ch), &testSink{})
			wantAlert(t, err, tc.alert)
		})
	}
}

// A TLS 1.2-only server takes TLS_FALLBACK_SCSV: there is no higher version
// the client could have had (RFC 7507 section 3).
func TestFallbackSCSVAtHighestVersion(t *testing.T) {
	c := clientCfg(t)
	c.MaxVersion = handshake.VersionTLS12
	ch := firstHello(t, c)
	ch.CipherSuites = append(ch.CipherSuites, handshake.TLS_FALLBACK_SCSV)
	s := serverCfg(t, certgen.ECDSAP256)
	s.MaxVersion = handshake.VersionTLS12
	if _, err := NewServer(s).Handle(handshake.Marshal(ch), &testSink{}); err != nil {
		t.Fatal(err)
	}
}

// A KeyUpdate whose request_update is neither 0 nor 1 is illegal_parameter
// (RFC 8446 section 4.6.3).
func TestKeyUpdateBadValue(t *testing.T) {
	p := handshakeOK(t, clientCfg(t), serverCfg(t, certgen.ECDSAP256))
	_, server := p.traffic(t)
	_, err := server.Handle([]byte{byte(handshake.TypeKeyUpdate), 0, 0, 1, 2}, p.server.out)
	wantAlert(t, err, record.AlertIllegalParameter)
}

// addExtension returns a tamper hook that adds ext to every message of type
// typ from the server (re-encoding it whole).
func addExtension(typ handshake.MessageType, ext handshake.Extension) func(bool, []byte) []byte {
	return func(fromClient bool, msg []byte) []byte {
		if fromClient || handshake.MessageType(msg[0]) != typ {
			return msg
		}
		switch typ {
		case handshake.TypeServerHello:
			var m handshake.ServerHello
			handshake.Unmarshal(msg, &m)
			m.Extensions = append(m.Extensions, ext)
			return handshake.Marshal(&m)
		case handshake.TypeEncryptedExtensions:
			var m handshake.EncryptedExtensions
			handshake.Unmarshal(msg, &m)
			m.Extensions = append(m.Extensions, ext)
			return handshake.Marshal(&m)
		case handshake.TypeCertificate:
			var m handshake.Certificate
			handshake.Unmarshal(msg, &m)
			m.Entries[0].Extensions = append(m.Entries[0].Extensions, ext)
			return handshake.Marshal(&m)
		}
		return msg
	}
}

// Extensions a TLS 1.3 server must not send where it sent them (RFC 8446
// section 4.2: a recognized extension in the wrong message is
// illegal_parameter; section 4.4.2: CertificateEntry extensions must answer
// the ClientHello, else unsupported_extension).
func TestServerExtensionsOutOfPlace(t *testing.T) {
	empty := func(typ uint16) handshake.Extension { return handshake.EmptyExt(typ) }
	cases := []struct {
		name  string
		in    handshake.MessageType
		ext   handshake.Extension
		alert record.Alert
	}{
		{"ALPN in ServerHello", handshake.TypeServerHello, handshake.ALPNExt([]string{"h2"}), record.AlertIllegalParameter},
		{"extended_master_secret in ServerHello", handshake.TypeServerHello, empty(handshake.ExtExtendedMasterSecret), record.AlertIllegalParameter},
		{"unoffered unknown extension in ServerHello", handshake.TypeServerHello, empty(0x1234), record.AlertUnsupportedExtension},
		{"extended_master_secret in EncryptedExtensions", handshake.TypeEncryptedExtensions, empty(handshake.ExtExtendedMasterSecret), record.AlertIllegalParameter},
		{"renegotiation_info in EncryptedExtensions", handshake.TypeEncryptedExtensions, handshake.BytesExt(handshake.ExtRenegotiationInfo, 1, nil), record.AlertIllegalParameter},
		{"ec_point_formats in EncryptedExtensions", handshake.TypeEncryptedExtensions, handshake.BytesExt(handshake.ExtECPointFormats, 1, []byte{0}), record.AlertIllegalParameter},
		{"NPN in EncryptedExtensions", handshake.TypeEncryptedExtensions, handshake.NPNExt([]string{"h2"}), record.AlertIllegalParameter},
		{"unoffered extension on a CertificateEntry", handshake.TypeCertificate, empty(0x1234), record.AlertUnsupportedExtension},
		{"ALPN on a CertificateEntry", handshake.TypeCertificate, handshake.ALPNExt([]string{"h2"}), record.AlertIllegalParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
			c.NextProtos = []string{"h2"} // offered, so ALPN is recognized and offered
			c.NPNProtocols = []string{"h2"}
			p, err := newMachinePair(t, c, s)
			if err != nil {
				t.Fatal(err)
			}
			p.tamper = addExtension(tc.in, tc.ext)
			wantAlert(t, p.run(), tc.alert)
		})
	}
}

// A certificate whose keyUsage does not allow digitalSignature is refused
// for signing the handshake, both roles, both versions (RFC 8446 section
// 4.4.2.2, RFC 5280 section 4.2.1.3), even when unauthorized peers are
// accepted.
func TestKeyUsageWithoutDigitalSignature(t *testing.T) {
	ca, _, _ := fixtures(t)
	noSign := certgen.LeafOptions{KeyUsage: x509.KeyUsageKeyEncipherment}
	server, err := ca.Leaf(certgen.ECDSAP256, []string{serverName}, noSign)
	if err != nil {
		t.Fatal(err)
	}
	noSign.Client = true
	client, err := ca.Leaf(certgen.ECDSAP256, []string{"client"}, noSign)
	if err != nil {
		t.Fatal(err)
	}
	for _, version := range []uint16{handshake.VersionTLS13, handshake.VersionTLS12} {
		for _, role := range []string{"server", "client"} {
			c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
			s.MaxVersion = version
			if role == "server" {
				s.Certificates = []tls.Certificate{server}
				c.InsecureAcceptUnauthorized = true
			} else {
				c.Certificates = []tls.Certificate{client}
				s.ClientAuth, s.ClientCAs = tls.RequestClientCert, ca.Pool
			}
			p, err := newMachinePair(t, c, s)
			if err != nil {
				t.Fatal(err)
			}
			err = p.run()
			var ae *record.AlertError
			if !errors.As(err, &ae) || ae.Alert != record.AlertUnsupportedCertificate {
				t.Errorf("TLS %#04x, %s certificate: %v", version, role, err)
			}
		}
	}
}

// A server that used the client's server_name acknowledges it with an empty
// server_name extension: in EncryptedExtensions in TLS 1.3, in the
// ServerHello of a full TLS 1.2 handshake, never in a resumed TLS 1.2 one
// (RFC 6066 section 3); a hello without SNI gets none.
func TestServerNameAcknowledged(t *testing.T) {
	sniIn := func(p *machinePair, typ handshake.MessageType) bool {
		for _, f := range p.server.out.sent {
			if f.ccs || handshake.MessageType(f.msg[0]) != typ {
				continue
			}
			var exts []handshake.Extension
			if typ == handshake.TypeServerHello {
				var m handshake.ServerHello
				handshake.Unmarshal(f.msg, &m)
				exts = m.Extensions
			} else {
				var m handshake.EncryptedExtensions
				handshake.Unmarshal(f.msg, &m)
				exts = m.Extensions
			}
			for _, e := range exts {
				if e.Type == handshake.ExtServerName && len(e.Data) == 0 {
					return true
				}
			}
		}
		return false
	}
	for _, tc := range []struct {
		name    string
		version uint16
		in      handshake.MessageType
		sni     bool
	}{
		{"TLS 1.3", handshake.VersionTLS13, handshake.TypeEncryptedExtensions, true},
		{"TLS 1.3 without SNI", handshake.VersionTLS13, handshake.TypeEncryptedExtensions, false},
		{"TLS 1.2", handshake.VersionTLS12, handshake.TypeServerHello, true},
	} {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		s.MaxVersion = tc.version
		if !tc.sni {
			c.ServerName, c.InsecureAcceptUnauthorized = "", true
		}
		if got := sniIn(handshakeOK(t, c, s), tc.in); got != tc.sni {
			t.Errorf("%s: acknowledged %v, want %v", tc.name, got, tc.sni)
		}
	}
	c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
	s.MaxVersion, s.ServerSessionCache, c.ClientSessionCache = handshake.VersionTLS12, NewSessionCache(2), NewSessionCache(2)
	handshakeOK(t, c, s)
	if resumed := handshakeOK(t, c, s); !resumed.client.out.state.DidResume || sniIn(resumed, handshake.TypeServerHello) {
		t.Error("a resumed TLS 1.2 handshake acknowledged server_name")
	}
}

// A TLS 1.2 client sends only a certificate whose key type the
// CertificateRequest's certificate_types allow (RFC 5246 sections 7.4.4 and
// 7.4.6), else an empty Certificate.
func TestClientCertificateTypes12(t *testing.T) {
	ca, _, ecdsaCert := fixtures(t)
	rsaCert, err := ca.Leaf(certgen.RSA2048, []string{"client"}, certgen.LeafOptions{Client: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		cert  tls.Certificate
		types []uint8
		sent  bool
	}{
		{"ECDSA key, ecdsa_sign requested", ecdsaCert, []uint8{64}, true},
		{"ECDSA key, only rsa_sign requested", ecdsaCert, []uint8{1}, false},
		{"RSA key, only rsa_sign requested", rsaCert, []uint8{1}, true},
		{"RSA key, only ecdsa_sign requested", rsaCert, []uint8{64}, false},
	}
	for _, tc := range cases {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		c.Certificates = []tls.Certificate{tc.cert}
		s.MaxVersion, s.ClientAuth, s.ClientCAs = handshake.VersionTLS12, tls.RequestClientCert, ca.Pool
		p, err := newMachinePair(t, c, s)
		if err != nil {
			t.Fatal(err)
		}
		p.tamper = func(fromClient bool, msg []byte) []byte {
			if fromClient || handshake.MessageType(msg[0]) != handshake.TypeCertificateRequest {
				return msg
			}
			var req handshake.CertificateRequest12
			handshake.Unmarshal(msg, &req)
			req.CertificateTypes = tc.types
			return handshake.Marshal(&req)
		}
		p.run() // the altered request breaks the Finished; the Certificate went before
		var sent bool
		for _, f := range p.client.out.sent {
			var cert handshake.Certificate12
			if !f.ccs && handshake.Unmarshal(f.msg, &cert) == nil {
				sent = len(cert.Chain) > 0
			}
		}
		if sent != tc.sent {
			t.Errorf("%s: certificate sent %v, want %v", tc.name, sent, tc.sent)
		}
	}
}

// TLS 1.2 ECDSA and curves (RFC 8422): the server picks an ECDSA certificate
// only on a curve the client lists (section 5.1), the client refuses a leaf
// on a curve it did not offer (section 2), and an ec_point_formats list
// without the uncompressed format is illegal_parameter either way (sections
// 5.1.2 and 5.2).
func TestECDSACurves12(t *testing.T) {
	_, leaves, _ := fixtures(t)
	t.Run("server: certificate on an unlisted curve", func(t *testing.T) {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		c.CurvePreferences, s.MaxVersion = []tls.CurveID{tls.X25519, tls.CurveP384}, handshake.VersionTLS12
		p, _ := newMachinePair(t, c, s)
		wantAlert(t, p.run(), record.AlertHandshakeFailure)

		s.Certificates = append(s.Certificates, leaves[certgen.ECDSAP384])
		p = handshakeOK(t, c, s)
		if got := p.client.out.state.PeerCertificates[0].PublicKey.(*ecdsa.PublicKey).Curve; got != elliptic.P384() {
			t.Fatalf("server chose a certificate on %v", got.Params().Name)
		}
	})
	t.Run("client: leaf on a curve not offered", func(t *testing.T) {
		st := &client12ExpectCertificate{&client12{cfg: clientCfg(t), state: &ConnectionState{},
			hello: &handshake.ClientHello{SupportedGroups: []uint16{handshake.GroupX25519}},
			sess:  session12{suite: handshake.Suite12ByID(handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)}}}
		_, err := st.Handle(handshake.Marshal(&handshake.Certificate12{Chain: leaves[certgen.ECDSAP256].Certificate}), &testSink{})
		wantAlert(t, err, record.AlertUnsupportedCertificate)
	})
	t.Run("server: no uncompressed point format", func(t *testing.T) {
		c := clientCfg(t)
		c.MaxVersion = handshake.VersionTLS12
		ch := firstHello(t, c)
		for i, e := range ch.Extensions {
			if e.Type == handshake.ExtECPointFormats {
				ch.Extensions[i].Data = []byte{1, 1} // ansiX962_compressed_prime only
			}
		}
		_, err := NewServer(serverCfg(t, certgen.ECDSAP256)).Handle(handshake.Marshal(ch), &testSink{})
		wantAlert(t, err, record.AlertIllegalParameter)
	})
	t.Run("client: no uncompressed point format", func(t *testing.T) {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		s.MaxVersion = handshake.VersionTLS12
		p, _ := newMachinePair(t, c, s)
		p.tamper = addExtension(handshake.TypeServerHello, handshake.BytesExt(handshake.ExtECPointFormats, 1, []byte{1}))
		wantAlert(t, p.run(), record.AlertIllegalParameter)
	})
}

// setSessionID returns a tamper hook that gives the server's ServerHello the
// session ID sid returns (the client's own, to announce resumption).
func setSessionID(sid func() []byte) func(bool, []byte) []byte {
	return func(fromClient bool, msg []byte) []byte {
		if fromClient || handshake.MessageType(msg[0]) != handshake.TypeServerHello {
			return msg
		}
		var sh handshake.ServerHello
		handshake.Unmarshal(msg, &sh)
		sh.SessionID = sid()
		return handshake.Marshal(&sh)
	}
}

// What a TLS 1.2 ServerHello announces binds the server (RFC 5246 section
// 7.4.1.3, RFC 5077 sections 3.3 and 3.4): echoing a session ID the client
// did not offer for resumption, or echoing it and then sending a Certificate,
// is illegal_parameter; announcing a ticket and sending none before its
// ChangeCipherSpec is unexpected_message.
func TestServerHelloAnnouncements12(t *testing.T) {
	clientSID := func(p *machinePair) func() []byte {
		return func() []byte {
			var ch handshake.ClientHello
			handshake.Unmarshal(p.client.out.sent[0].msg, &ch)
			return ch.SessionID
		}
	}
	t.Run("echo without an offered session", func(t *testing.T) {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		s.MaxVersion = handshake.VersionTLS12
		p, _ := newMachinePair(t, c, s)
		p.tamper = setSessionID(clientSID(p))
		wantAlert(t, p.run(), record.AlertIllegalParameter)
	})
	t.Run("echo, then a full handshake", func(t *testing.T) {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		s.MaxVersion, s.ServerSessionCache, c.ClientSessionCache = handshake.VersionTLS12, NewSessionCache(2), NewSessionCache(2)
		handshakeOK(t, c, s)
		s.ServerSessionCache = NewSessionCache(2) // the server forgot the session
		p, _ := newMachinePair(t, c, s)
		p.tamper = setSessionID(clientSID(p))
		wantAlert(t, p.run(), record.AlertIllegalParameter)
	})
	t.Run("ticket announced, none sent", func(t *testing.T) {
		st := &client12ExpectChangeCipherSpec{client12: &client12{sh: &handshake.ServerHello{TicketAck: true}}}
		_, err := st.ChangeCipherSpec(&testSink{})
		wantAlert(t, err, record.AlertUnexpectedMessage)
	})
}

// A TLS 1.3 server issues tickets only to a client that named a PSK mode it
// can use them with (RFC 8446 section 4.2.9).
func TestTicketsNeedPSKModes(t *testing.T) {
	for _, modes := range []bool{true, false} {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		s.TicketKeys = NewTicketKeys(0, 0)
		c.ClientHelloSpec = func() *utls.ClientHelloSpec {
			exts := []utls.TLSExtension{
				&utls.SNIExtension{ServerName: serverName},
				&utls.SupportedCurvesExtension{Curves: []utls.CurveID{utls.X25519}},
				&utls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: []utls.SignatureScheme{utls.ECDSAWithP256AndSHA256}},
				&utls.KeyShareExtension{KeyShares: []utls.KeyShare{{Group: utls.X25519}}},
				&utls.SupportedVersionsExtension{Versions: []uint16{handshake.VersionTLS13}},
			}
			if modes {
				exts = append(exts, &utls.PSKKeyExchangeModesExtension{Modes: []uint8{utls.PskModeDHE}})
			}
			return &utls.ClientHelloSpec{TLSVersMin: handshake.VersionTLS13, TLSVersMax: handshake.VersionTLS13,
				CipherSuites: []uint16{handshake.TLS_AES_128_GCM_SHA256}, CompressionMethods: []uint8{0}, Extensions: exts}
		}
		p := handshakeOK(t, c, s)
		tickets := 0
		for _, f := range p.server.out.sent {
			if !f.ccs && handshake.MessageType(f.msg[0]) == handshake.TypeNewSessionTicket {
				tickets++
			}
		}
		if (tickets > 0) != modes {
			t.Errorf("psk_key_exchange_modes offered %v: %d tickets", modes, tickets)
		}
	}
}
