package engine_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// NPN between our client and our server, including the seed's example.
func TestNPN(t *testing.T) {
	tests := []struct {
		name                  string
		server, client        []string
		serverALPN, clientALP []string
		want, wantALPN        string
	}{
		{name: "seed example", server: []string{"spdy/2", "http/1.1"}, client: []string{"http/1.1"}, want: "http/1.1"},
		{name: "server preference", server: []string{"b", "a"}, client: []string{"a", "b"}, want: "b"},
		{name: "no overlap: client's first", server: []string{"x"}, client: []string{"y", "z"}, want: "y"},
		{name: "ALPN wins over NPN", server: []string{"npn"}, client: []string{"npn"},
			serverALPN: []string{"alpn"}, clientALP: []string{"alpn"}, want: "", wantALPN: "alpn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
			c.MaxVersion = handshake.VersionTLS12
			c.NPNProtocols, s.NPNProtocols = tt.client, tt.server
			c.NextProtos, s.NextProtos = tt.clientALP, tt.serverALPN
			p := handshakePair(t, c, s)
			for _, e := range []*engine.Engine{p.Client, p.Server} {
				st := e.ConnectionState()
				if st.Version != tls.VersionTLS12 || st.NPNProtocol != tt.want || st.NegotiatedProtocol != tt.wantALPN {
					t.Fatalf("version %#x, NPN %q, ALPN %q; want NPN %q, ALPN %q", st.Version, st.NPNProtocol, st.NegotiatedProtocol, tt.want, tt.wantALPN)
				}
			}
			if err := p.Write(p.Client, []byte("after NPN")); err != nil || p.ServerGot.String() != "after NPN" {
				t.Fatalf("data after NPN: %v %q", err, p.ServerGot.String())
			}
		})
	}
}

// NPN is never used in TLS 1.3, even when both sides configure it.
func TestNoNPNInTLS13(t *testing.T) {
	c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	c.NPNProtocols, s.NPNProtocols = []string{"a"}, []string{"a"}
	p := handshakePair(t, c, s)
	if st := p.Client.ConnectionState(); st.Version != tls.VersionTLS13 || st.NPNProtocol != "" {
		t.Fatalf("version %#x, NPN %q", st.Version, st.NPNProtocol)
	}
}

// A 1.3-capable client that gets a 1.2 ServerHello carrying the downgrade
// sentinel aborts with illegal_parameter. The attacker here removes TLS 1.3
// from the client's supported_versions.
func TestDowngradeSentinel(t *testing.T) {
	p, err := enginetest.NewPair(clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	if err != nil {
		t.Fatal(err)
	}
	p.Split = func(fromClient bool, data []byte) [][]byte {
		if fromClient {
			data = bytes.Replace(data, []byte{0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03}, []byte{0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x03, 0x03, 0x03}, 1)
		}
		return [][]byte{data}
	}
	p.Handshake()
	var ae *engine.AlertError
	if !errors.As(p.Client.Err(), &ae) || ae.Alert != record.AlertIllegalParameter || ae.Remote {
		t.Fatalf("client: %v, want illegal_parameter", p.Client.Err())
	}
}

// Bad TLS 1.2 ServerKeyExchange: a signature that does not verify, and a
// group that was not offered.
func TestBadServerKeyExchange(t *testing.T) {
	_, l := fixtures(t)
	other, _ := certgen.NewKey(certgen.ECDSAP256)
	t.Run("bad signature", func(t *testing.T) {
		c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
		c.MaxVersion = handshake.VersionTLS12
		s.Certificates = []tls.Certificate{{Certificate: l[certgen.ECDSAP256].Certificate, PrivateKey: other}}
		p, _ := enginetest.NewPair(c, s)
		p.Handshake()
		var ae *engine.AlertError
		if !errors.As(p.Client.Err(), &ae) || ae.Alert != record.AlertDecryptError {
			t.Fatalf("client: %v, want decrypt_error", p.Client.Err())
		}
	})
	t.Run("group not offered", func(t *testing.T) {
		c, s := clientConfig(t), serverConfig(t, certgen.Ed25519) // its key is on no curve the client must list
		c.MaxVersion = handshake.VersionTLS12
		c.CurvePreferences = []tls.CurveID{tls.X25519}
		p, _ := enginetest.NewPair(c, s)
		p.Split = func(fromClient bool, data []byte) [][]byte {
			if !fromClient { // ServerKeyExchange: 0c .. .. .. 03 00 1d → secp256r1
				if i := bytes.Index(data, []byte{0x03, 0x00, 0x1d, 0x20}); i > 0 {
					data[i+2] = 0x17
				}
			}
			return [][]byte{data}
		}
		p.Handshake()
		var ae *engine.AlertError
		if !errors.As(p.Client.Err(), &ae) || ae.Alert != record.AlertIllegalParameter {
			t.Fatalf("client: %v, want illegal_parameter", p.Client.Err())
		}
	})
}

// With RequireExtendedMasterSecret, a TLS 1.2 server that does not answer
// the extended master secret is refused by our client (RFC 7627 section 5.2).
func TestExtendedMasterSecretRequired(t *testing.T) {
	_, l := fixtures(t)
	nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}, MaxVersion: tls.VersionTLS12})
	cfg := clientConfig(t)
	cfg.MaxVersion, cfg.RequireExtendedMasterSecret = handshake.VersionTLS12, true
	e, _ := engine.NewClient(cfg)
	// Strip extended_master_secret from our hello on its way out.
	hello := make([]byte, 4096)
	n, _ := e.Encrypted().Read(hello)
	rec := hello[:n]
	i := bytes.Index(rec, []byte{0x00, 0x17, 0x00, 0x00})
	rec = append(append([]byte{}, rec[:i]...), rec[i+4:]...)
	fixLengths(rec, 4)
	nc.Write(rec)
	err := adapters.NewConn(nc, e).Handshake(context.Background())
	var ae *engine.AlertError
	if !errors.As(err, &ae) || ae.Alert != record.AlertHandshakeFailure || ae.Remote {
		t.Fatalf("got %v, want our handshake_failure", err)
	}
	<-done
}

// fixLengths shortens a ClientHello record's record, message and extension
// block lengths by cut bytes.
func fixLengths(rec []byte, cut int) {
	sub16 := func(at int) {
		v := int(rec[at])<<8 | int(rec[at+1]) - cut
		rec[at], rec[at+1] = byte(v>>8), byte(v)
	}
	sub16(3)
	msgLen := int(rec[6])<<16 | int(rec[7])<<8 | int(rec[8]) - cut
	rec[6], rec[7], rec[8] = byte(msgLen>>16), byte(msgLen>>8), byte(msgLen)
	at := 9 + 2 + 32
	at += 1 + int(rec[at])
	at += 2 + (int(rec[at])<<8 | int(rec[at+1]))
	at += 1 + int(rec[at])
	sub16(at)
}

// KeyUpdate on a TLS 1.2 connection is the caller's mistake: it is refused
// and the connection goes on.
func TestKeyUpdateOnTLS12(t *testing.T) {
	c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	c.MaxVersion = handshake.VersionTLS12
	p := handshakePair(t, c, s)
	if err := p.Client.KeyUpdate(true); !errors.Is(err, engine.ErrNoKeyUpdate) {
		t.Fatalf("KeyUpdate: %v", err)
	}
	if err := p.Write(p.Client, []byte("still fine")); err != nil || p.ServerGot.String() != "still fine" {
		t.Fatalf("after the refused KeyUpdate: %v %q", err, p.ServerGot.String())
	}
}

// A side that lists only TLS 1.2 cipher suites speaks TLS 1.2 even when
// its version range includes TLS 1.3: the client does not offer a version
// it has no suite for, and the server does not pick one (found by the
// securepairtest generators).
func TestOnlyTLS12SuitesMeansTLS12(t *testing.T) {
	only12 := []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	for _, side := range []string{"client", "server"} {
		t.Run(side, func(t *testing.T) {
			c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
			if side == "client" {
				c.CipherSuites = only12
			} else {
				s.CipherSuites = only12
			}
			p := handshakePair(t, c, s)
			if st := p.Client.ConnectionState(); st.Version != tls.VersionTLS12 || st.CipherSuite != only12[0] {
				t.Fatalf("version %#04x, suite %s", st.Version, engine.SuiteName(st.CipherSuite))
			}
		})
	}
}
