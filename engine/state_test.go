package engine_test

import (
	"crypto/tls"
	"errors"
	"testing"
	"time"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// ConnectionState is filled as the handshake goes: the server knows the
// version, suite, group and name from the ClientHello; the client knows the
// version, suite and group from the ServerHello alone, and the peer's
// certificates once its flight verified; HandshakeComplete comes last.
func TestConnectionStateAsNegotiated(t *testing.T) {
	c, err := engine.NewClient(clientConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.NewServer(serverConfig(t, certgen.ECDSAP256))
	if err != nil {
		t.Fatal(err)
	}
	if st := c.ConnectionState(); st.ServerName != testHost || st.Version != 0 {
		t.Fatalf("client before any answer: %+v", st)
	}
	send(t, c, s)
	st := s.ConnectionState()
	if st.Version != engine.VersionTLS13 || st.CipherSuite == 0 || st.Group != tls.X25519MLKEM768 || st.ServerName != testHost || st.HandshakeComplete {
		t.Fatalf("server after ClientHello: %+v", st)
	}

	flight := make([]byte, 64<<10)
	n, _ := s.Encrypted().Read(flight)
	first := 5 + (int(flight[3])<<8 | int(flight[4])) // the ServerHello record
	c.Encrypted().Write(flight[:first])
	st = c.ConnectionState()
	if st.Version != engine.VersionTLS13 || st.CipherSuite != s.ConnectionState().CipherSuite || st.Group != tls.X25519MLKEM768 ||
		st.PeerCertificates != nil || st.HandshakeComplete {
		t.Fatalf("client after ServerHello: %+v", st)
	}
	c.Encrypted().Write(flight[first:n])
	if st = c.ConnectionState(); !st.HandshakeComplete || !st.Authorized || len(st.PeerCertificates) == 0 {
		t.Fatalf("client after the server's flight: %+v", st)
	}
	send(t, c, s)
	if !s.ConnectionState().HandshakeComplete {
		t.Fatal("server not complete after the client's Finished")
	}
}

// EventSessionTicket says how long the ticket lives, how much early data it
// allows and whether it was cached (Node's 'session').
func TestSessionTicketEvent(t *testing.T) {
	ccfg, scfg := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	ccfg.ClientSessionCache = engine.NewClientSessionCache(4)
	scfg.TicketKeys = engine.NewTicketKeys(time.Hour, 2)
	scfg.MaxEarlyData, scfg.EarlyDataGuard = 4096, engine.NewReplayGuard(0)
	p := handshakePair(t, ccfg, scfg)
	var got []engine.SessionTicket
	for ev, ok := p.Client.NextEvent(); ok; ev, ok = p.Client.NextEvent() {
		if ev.Kind == engine.EventSessionTicket {
			got = append(got, *ev.Ticket)
		}
	}
	if len(got) != 1 || got[0].Lifetime != 7*24*time.Hour || got[0].MaxEarlyData != 4096 || !got[0].Cached {
		t.Fatalf("ticket events %+v", got)
	}
	if ccfg.ClientSessionCache.(*engine.ClientSessionCache).Len() != 1 {
		t.Fatal("the ticket is not in the cache")
	}
}

// A TLS 1.2 session without the extended master secret completes but
// exports no keying material (RFC 7627 section 5.4); with EMS it does.
func TestExportNeedsExtendedMasterSecret(t *testing.T) {
	for _, ems := range []bool{false, true} {
		ccfg := clientConfig(t)
		ccfg.ClientHelloSpec = func() *utls.ClientHelloSpec {
			exts := []utls.TLSExtension{
				&utls.SNIExtension{ServerName: testHost},
				&utls.SupportedCurvesExtension{Curves: []utls.CurveID{utls.X25519, utls.CurveP256}},
				&utls.SupportedPointsExtension{SupportedPoints: []uint8{0}},
				&utls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: []utls.SignatureScheme{utls.ECDSAWithP256AndSHA256}},
			}
			if ems {
				exts = append(exts, &utls.ExtendedMasterSecretExtension{})
			}
			return &utls.ClientHelloSpec{TLSVersMin: engine.VersionTLS12, TLSVersMax: engine.VersionTLS12, CompressionMethods: []uint8{0},
				CipherSuites: []uint16{engine.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, Extensions: exts}
		}
		p := handshakePair(t, ccfg, serverConfig(t, certgen.ECDSAP256))
		if got := p.Client.ConnectionState().ExtendedMasterSecret; got != ems {
			t.Fatalf("ems %v: client reports %v", ems, got)
		}
		_, err := p.Server.ExportKeyingMaterial("EXPERIMENTAL test", nil, 16)
		if ems != (err == nil) || (!ems && !errors.Is(err, engine.ErrNoExtendedMasterSecret)) {
			t.Fatalf("ems %v: export: %v", ems, err)
		}
	}
}
