package engine_test

import (
	"crypto/tls"
	"errors"
	"testing"
	"time"

	utls "github.com/refraction-networking/utls"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// resume13Configs are a TLS 1.3 client with a session cache and a server
// issuing tickets.
func resume13Configs(t *testing.T) (*engine.Config, *engine.Config) {
	c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	c.ClientSessionCache = engine.NewClientSessionCache(8)
	s.TicketKeys = engine.NewTicketKeys(0, 0)
	return c, s
}

// connect13 runs a handshake, lets the tickets arrive, and reports whether
// both sides resumed.
func connect13(t *testing.T, c, s *engine.Config) (*enginetest.Pair, bool) {
	t.Helper()
	p := handshakePair(t, c, s)
	if err := p.Write(p.Server, []byte("tickets follow")); err != nil {
		t.Fatal(err)
	}
	cs, ss := p.Client.ConnectionState(), p.Server.ConnectionState()
	if cs.DidResume != ss.DidResume || cs.Version != tls.VersionTLS13 {
		t.Fatalf("client resumed %v, server %v, version %#x", cs.DidResume, ss.DidResume, cs.Version)
	}
	return p, cs.DidResume
}

// TLS 1.3 resumption between our client and server: psk_dhe_ke by default,
// after a HelloRetryRequest too, and psk_ke when the client offers only it.
func TestResumption13(t *testing.T) {
	t.Run("psk_dhe_ke", func(t *testing.T) {
		c, s := resume13Configs(t)
		if _, resumed := connect13(t, c, s); resumed {
			t.Fatal("first handshake resumed")
		}
		p, resumed := connect13(t, c, s)
		if !resumed || p.Client.ConnectionState().Group == 0 || !p.Client.ConnectionState().Authorized {
			t.Fatalf("second handshake: resumed %v, state %+v", resumed, p.Client.ConnectionState())
		}
	})
	t.Run("after HelloRetryRequest", func(t *testing.T) {
		c, s := resume13Configs(t)
		c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}
		s.CurvePreferences = []tls.CurveID{tls.CurveP256}
		connect13(t, c, s)
		p, resumed := connect13(t, c, s)
		if !resumed || !p.Client.ConnectionState().DidHelloRetry {
			t.Fatalf("resumed %v, retried %v", resumed, p.Client.ConnectionState().DidHelloRetry)
		}
	})
	// RFC 8446 section 4.2.11: a ticket may resume with another suite of
	// the same hash; the record keys are then the new suite's (ChaCha20's
	// are twice as long as AES-128's).
	t.Run("another suite with the same hash", func(t *testing.T) {
		c, s := resume13Configs(t)
		c.CipherSuites = []uint16{handshake.TLS_AES_128_GCM_SHA256}
		connect13(t, c, s)
		c.CipherSuites = []uint16{handshake.TLS_CHACHA20_POLY1305_SHA256}
		p, resumed := connect13(t, c, s)
		if st := p.Client.ConnectionState(); !resumed || st.CipherSuite != handshake.TLS_CHACHA20_POLY1305_SHA256 {
			t.Fatalf("resumed %v with suite %#04x", resumed, st.CipherSuite)
		}
	})
	t.Run("psk_ke", func(t *testing.T) {
		c, s := resume13Configs(t)
		c.ClientHelloSpec = func() *utls.ClientHelloSpec {
			return &utls.ClientHelloSpec{
				CipherSuites:       []uint16{handshake.TLS_AES_128_GCM_SHA256},
				CompressionMethods: []uint8{0},
				Extensions: []utls.TLSExtension{
					&utls.SNIExtension{},
					&utls.SupportedCurvesExtension{Curves: []utls.CurveID{utls.X25519}},
					&utls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: []utls.SignatureScheme{utls.ECDSAWithP256AndSHA256}},
					&utls.KeyShareExtension{KeyShares: []utls.KeyShare{{Group: utls.X25519}}},
					&utls.SupportedVersionsExtension{Versions: []uint16{utls.VersionTLS13}},
					&utls.PSKKeyExchangeModesExtension{Modes: []uint8{utls.PskModePlain}},
				},
			}
		}
		connect13(t, c, s)
		p, resumed := connect13(t, c, s)
		if !resumed || p.Client.ConnectionState().Group != 0 {
			t.Fatalf("resumed %v, group %v (psk_ke has none)", resumed, p.Client.ConnectionState().Group)
		}
	})
}

// The server issues as many tickets as configured.
func TestTicketCount(t *testing.T) {
	c, s := resume13Configs(t)
	s.TicketCount = 3
	p, _ := connect13(t, c, s)
	n := 0
	for _, ev := range collectEvents(p.Client) {
		if ev.Kind == engine.EventSessionTicket {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d tickets, want 3", n)
	}
}

// Tickets that must not resume: from another server key, expired, or with a
// ticket age far from the server's own measure. Each falls back to a full
// handshake.
func TestTicketsRefused(t *testing.T) {
	tests := []struct {
		name  string
		later func(c, s *engine.Config)
	}{
		{"another server key", func(c, s *engine.Config) { s.TicketKeys = engine.NewTicketKeys(0, 0) }},
		{"expired", func(c, s *engine.Config) {
			s.Time = func() time.Time { return certgen.Epoch.Add(8 * 24 * time.Hour) }
		}},
		{"ticket age off", func(c, s *engine.Config) {
			s.Time = func() time.Time { return certgen.Epoch.Add(time.Minute) }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := resume13Configs(t)
			connect13(t, c, s)
			s2 := *s
			tt.later(c, &s2)
			if _, resumed := connect13(t, c, &s2); resumed {
				t.Fatal("resumed")
			}
		})
	}
}

// A PSK binder that does not verify is fatal: decrypt_error.
func TestPSKBinderMismatch(t *testing.T) {
	c, s := resume13Configs(t)
	connect13(t, c, s)
	p, err := enginetest.NewPair(c, s)
	if err != nil {
		t.Fatal(err)
	}
	first := true
	p.Split = func(fromClient bool, data []byte) [][]byte {
		if fromClient && first {
			first = false
			data[len(data)-1] ^= 1 // the binder is the ClientHello's last byte
		}
		return [][]byte{data}
	}
	p.Handshake()
	var ae *engine.AlertError
	if !errors.As(p.Server.Err(), &ae) || ae.Alert != record.AlertDecryptError || ae.Remote {
		t.Fatalf("server: %v, want decrypt_error", p.Server.Err())
	}
}

// TLS 1.3 resumption across our stack and crypto/tls, both directions.
func TestResumption13WithGo(t *testing.T) {
	ca, l := fixtures(t)
	t.Run("our client, crypto/tls server", func(t *testing.T) {
		cfg := clientConfig(t)
		cfg.ClientSessionCache = engine.NewClientSessionCache(4)
		resumeAgainstGoServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}}, cfg)
	})
	t.Run("crypto/tls client, our server", func(t *testing.T) {
		cfg := serverConfig(t, certgen.ECDSAP256)
		cfg.TicketKeys = engine.NewTicketKeys(0, 0)
		resumeWithGoClient(t, &tls.Config{RootCAs: ca.Pool, ServerName: testHost, Time: fixedTime,
			ClientSessionCache: tls.NewLRUClientSessionCache(4)}, cfg)
	})
}
