package machine

import (
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// specTLS12 is a TLS 1.2 hello with neither extended_master_secret nor
// renegotiation_info, as some real clients and test suites send; scsv adds
// TLS_EMPTY_RENEGOTIATION_INFO_SCSV.
func specTLS12(scsv bool) func() *utls.ClientHelloSpec {
	return func() *utls.ClientHelloSpec {
		suites := []uint16{handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
		if scsv {
			suites = append(suites, handshake.TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
		}
		return &utls.ClientHelloSpec{
			TLSVersMin: handshake.VersionTLS12, TLSVersMax: handshake.VersionTLS12,
			CipherSuites: suites, CompressionMethods: []uint8{0},
			Extensions: []utls.TLSExtension{
				&utls.SNIExtension{ServerName: serverName},
				&utls.SupportedCurvesExtension{Curves: []utls.CurveID{utls.X25519, utls.CurveP256}},
				&utls.SupportedPointsExtension{SupportedPoints: []uint8{0}},
				&utls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: []utls.SignatureScheme{utls.ECDSAWithP256AndSHA256}},
				&utls.SessionTicketExtension{},
			},
		}
	}
}

// A TLS 1.2 peer without the extended master secret is served (RFC 7627
// section 5.2 leaves it to the server), but its session is neither cached
// nor ticketed (RFC 7627 section 5.3); the server answers renegotiation_info
// only when the hello offered it, as the extension or the SCSV (RFC 5746
// section 3.6, RFC 5246 section 7.4.1.4).
func TestNoExtendedMasterSecret(t *testing.T) {
	for _, scsv := range []bool{false, true} {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		c.ClientHelloSpec = specTLS12(scsv)
		c.ClientSessionCache = NewSessionCache(4)
		s.ServerSessionCache, s.TicketKeys = NewSessionCache(4), NewTicketKeys(0, 0)
		p := handshakeOK(t, c, s)
		cs, ss := checkAgree(t, p)
		if cs.ExtendedMasterSecret || ss.ExtendedMasterSecret {
			t.Fatal("EMS reported without the extension")
		}
		var sh handshake.ServerHello
		if err := handshake.Unmarshal(p.server.out.sent[0].msg, &sh); err != nil {
			t.Fatal(err)
		}
		if (sh.RenegotiationInfo != nil) != scsv {
			t.Fatalf("scsv %v: renegotiation_info answered %v", scsv, sh.RenegotiationInfo != nil)
		}
		if sh.ExtendedMasterSecret || len(sh.SessionID) != 0 || sh.TicketAck {
			t.Fatalf("the server offered to keep a session without EMS: %+v", sh)
		}
		if c.ClientSessionCache.(*SessionCache).Len() != 0 || s.ServerSessionCache.(*SessionCache).Len() != 0 {
			t.Fatal("a session without EMS was cached")
		}
	}
}

// RequireExtendedMasterSecret refuses such a peer with handshake_failure,
// on either side.
func TestRequireExtendedMasterSecret(t *testing.T) {
	c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
	c.ClientHelloSpec = specTLS12(false)
	s.RequireExtendedMasterSecret = true
	p, err := newMachinePair(t, c, s)
	if err != nil {
		t.Fatal(err)
	}
	wantAlert(t, p.run(), record.AlertHandshakeFailure)

	// A client that offered EMS and requires it, facing a ServerHello without it.
	c, s = clientCfg(t), serverCfg(t, certgen.ECDSAP256)
	c.RequireExtendedMasterSecret, s.MaxVersion = true, handshake.VersionTLS12
	if p, err = newMachinePair(t, c, s); err != nil {
		t.Fatal(err)
	}
	p.tamper = func(fromClient bool, msg []byte) []byte {
		if handshake.MessageType(msg[0]) != handshake.TypeServerHello {
			return msg
		}
		var sh handshake.ServerHello
		handshake.Unmarshal(msg, &sh)
		sh.Extensions = without(sh.Extensions, handshake.ExtExtendedMasterSecret)
		return handshake.Marshal(&sh)
	}
	wantAlert(t, p.run(), record.AlertHandshakeFailure)
}
