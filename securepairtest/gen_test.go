package securepairtest

import (
	"bytes"
	"crypto/tls"
	"errors"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/securepair/securepair/engine"
)

// Every drawn configuration makes a handshake, cut at drawn points, whose
// parameters are among the choices, and drawn traffic arrives intact both
// ways.
func TestDrawnConfigsHandshake(t *testing.T) {
	seed := uint64(0)
	rapid.Check(t, func(rt *rapid.T) {
		seed++
		c := ConfigChoices().Draw(rt, "choices")
		p := NewPair(t, seed, c.Options()...)
		p.Split = Chunking().Draw(rt, "chunking")
		if err := p.Handshake(); err != nil {
			rt.Fatalf("handshake: %v", err)
		}
		st := p.Client.ConnectionState()
		if c.Version != 0 && st.Version != c.Version {
			rt.Fatalf("version %#04x, want %#04x", st.Version, c.Version)
		}
		if c.Shape == nil && !slices.Contains(c.Suites, st.CipherSuite) {
			rt.Fatalf("suite %s not among %v", engine.SuiteName(st.CipherSuite), c.Suites)
		}
		if peers := p.Server.ConnectionState().PeerCertificates; c.ClientCert && c.ClientAuth != tls.NoClientCert && len(peers) == 0 {
			rt.Fatalf("the client's certificate did not reach a server in mode %v", c.ClientAuth)
		}
		if c.Shape == nil && len(c.ALPN) > 0 && st.NegotiatedProtocol != c.ALPN[0] {
			rt.Fatalf("ALPN %q, want the client's first %q", st.NegotiatedProtocol, c.ALPN[0])
		}
		for _, msg := range Traffic().Draw(rt, "traffic") {
			want := p.ServerGot.Len() + len(msg)
			if err := p.Write(p.Client, msg); err != nil || p.ServerGot.Len() != want ||
				!bytes.Equal(p.ServerGot.Bytes()[want-len(msg):], msg) {
				rt.Fatalf("traffic: %v", err)
			}
		}
	})
}

// Mutated ClientHellos never panic a server and never get a handshake
// through: the server answers with an alert or waits for more bytes.
func TestMutatedClientHellos(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		hello := ClientHello(true).Draw(rt, "hello")
		s, err := engine.NewServer(NewPair(t, 1).ServerConfig)
		if err != nil {
			rt.Fatal(err)
		}
		_, err = s.Encrypted().Write(hello)
		var ae *engine.AlertError
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) && !errors.As(err, &ae) {
			rt.Fatalf("error without an alert: %v", err)
		}
		if s.HandshakeComplete() {
			rt.Fatal("a lone ClientHello completed a handshake")
		}
	})
}
