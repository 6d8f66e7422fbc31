package adapters_test

import (
	"bytes"
	"crypto/tls"
	"net"
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// Conn.ConnectionState is crypto/tls's view of the connection: against a
// crypto/tls server it agrees with the server's own state field by field,
// EngineState keeps what only the engine knows, and the Conn's
// ExportKeyingMaterial matches the server's.
func TestConnectionStateAsCryptoTLS(t *testing.T) {
	clientCfg, _ := configs(t)
	clientCfg.NextProtos = []string{"h2"}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{fixLeaf}, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	states := make(chan tls.ConnectionState, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		tc := c.(*tls.Conn)
		if tc.Handshake() == nil {
			states <- tc.ConnectionState()
		}
		_, _ = c.Read(make([]byte, 1))
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := adapters.Client(nc, clientCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Handshake(t.Context()); err != nil {
		t.Fatal(err)
	}
	theirs := <-states
	ours := conn.ConnectionState()
	checks := []struct {
		field     string
		got, want any
	}{
		{"Version", ours.Version, theirs.Version},
		{"CipherSuite", ours.CipherSuite, theirs.CipherSuite},
		{"CurveID", ours.CurveID, theirs.CurveID},
		{"NegotiatedProtocol", ours.NegotiatedProtocol, theirs.NegotiatedProtocol},
		{"ServerName", ours.ServerName, theirs.ServerName},
		{"HandshakeComplete", ours.HandshakeComplete, true},
		{"DidResume", ours.DidResume, theirs.DidResume},
		{"HelloRetryRequest", ours.HelloRetryRequest, theirs.HelloRetryRequest},
		{"peer certificate", len(ours.PeerCertificates) > 0 && bytes.Equal(ours.PeerCertificates[0].Raw, fixLeaf.Certificate[0]), true},
		{"verified chain", len(ours.VerifiedChains), 1},
		{"engine's Authorized", conn.EngineState().Authorized, true},
		{"engine's JA4", conn.EngineState().Fingerprint.JA4 != "", true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.field, c.got, c.want)
		}
	}
	got, err := conn.ExportKeyingMaterial("EXPORTER-test", []byte("ctx"), 32)
	if err != nil {
		t.Fatal(err)
	}
	want, err := theirs.ExportKeyingMaterial("EXPORTER-test", []byte("ctx"), 32)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("exported keying material differs from crypto/tls's (%v)", err)
	}
	if ours.Version != engine.VersionTLS13 {
		t.Fatalf("version %#04x", ours.Version)
	}
}
