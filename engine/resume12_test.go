package engine_test

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// resumeConfigs are a TLS 1.2 client with a session cache and a server with
// the given resumption settings.
func resumeConfigs(t *testing.T, server func(*engine.Config)) (*engine.Config, *engine.Config) {
	c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	c.MaxVersion = handshake.VersionTLS12
	c.ClientSessionCache = engine.NewClientSessionCache(8)
	server(s)
	return c, s
}

// connect runs a handshake and a little data; it reports whether it resumed.
func connect(t *testing.T, c, s *engine.Config) bool {
	t.Helper()
	p := handshakePair(t, c, s)
	if err := p.Write(p.Client, []byte("resumable")); err != nil || p.ServerGot.String() != "resumable" {
		t.Fatalf("data: %v %q", err, p.ServerGot.String())
	}
	cr, sr := p.Client.ConnectionState().DidResume, p.Server.ConnectionState().DidResume
	if cr != sr {
		t.Fatalf("client resumed %v, server %v", cr, sr)
	}
	return cr
}

// TLS 1.2 resumption between our client and server, by session ID and by
// ticket.
func TestResumption12(t *testing.T) {
	tests := []struct {
		name   string
		server func(*engine.Config)
	}{
		{"session ID", func(s *engine.Config) { s.ServerSessionCache = engine.NewServerSessionCache(8) }},
		{"ticket", func(s *engine.Config) { s.TicketKeys = engine.NewTicketKeys(0, 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := resumeConfigs(t, tt.server)
			if connect(t, c, s) {
				t.Fatal("first handshake resumed")
			}
			if !connect(t, c, s) {
				t.Fatal("second handshake did not resume")
			}
		})
	}
}

// A server never resumes a session made under another SessionIDContext,
// whether offered by ID or by ticket.
func TestSessionIDContextScopes(t *testing.T) {
	cache, keys := engine.NewServerSessionCache(8), engine.NewTicketKeys(0, 0)
	c, a := resumeConfigs(t, func(s *engine.Config) {
		s.ServerSessionCache, s.TicketKeys, s.SessionIDContext = cache, keys, []byte("context A")
	})
	b := *a
	b.SessionIDContext = []byte("context B")
	connect(t, c, a)
	if connect(t, c, &b) {
		t.Fatal("a session from context A was resumed under context B")
	}
	if !connect(t, c, &b) {
		t.Fatal("context B's own session was not resumed")
	}
}

// A ticket sealed by another server's keys is not resumed: the server falls
// back to a full handshake.
func TestTicketFromAnotherKey(t *testing.T) {
	c, a := resumeConfigs(t, func(s *engine.Config) { s.TicketKeys = engine.NewTicketKeys(0, 0) })
	b := *a
	b.TicketKeys = engine.NewTicketKeys(0, 0)
	connect(t, c, a)
	if connect(t, c, &b) {
		t.Fatal("resumed with a ticket from another key")
	}
}

// The server's session cache is bounded.
func TestSessionCacheBounded(t *testing.T) {
	cache := engine.NewServerSessionCache(2)
	for range 3 {
		c, s := resumeConfigs(t, func(s *engine.Config) { s.ServerSessionCache = cache })
		connect(t, c, s)
	}
	if cache.Len() != 2 {
		t.Fatalf("cache holds %d sessions, bound is 2", cache.Len())
	}
}

// Resumption across our stack and crypto/tls at TLS 1.2, both directions.
func TestResumption12WithGo(t *testing.T) {
	ca, l := fixtures(t)
	t.Run("our client, crypto/tls server", func(t *testing.T) {
		cfg := clientConfig(t)
		cfg.MaxVersion = handshake.VersionTLS12
		cfg.ClientSessionCache = engine.NewClientSessionCache(4)
		resumeAgainstGoServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}, MaxVersion: tls.VersionTLS12}, cfg)
	})
	t.Run("crypto/tls client, our server", func(t *testing.T) {
		cfg := serverConfig(t, certgen.ECDSAP256)
		cfg.TicketKeys = engine.NewTicketKeys(0, 0)
		cfg.ServerSessionCache = engine.NewServerSessionCache(4)
		resumeWithGoClient(t, &tls.Config{RootCAs: ca.Pool, ServerName: testHost, Time: fixedTime, MaxVersion: tls.VersionTLS12,
			ClientSessionCache: tls.NewLRUClientSessionCache(4)}, cfg)
	})
}

// resumeAgainstGoServer connects our client twice to a crypto/tls server:
// the first handshake is full, the second resumes, on both sides.
func resumeAgainstGoServer(t *testing.T, goCfg *tls.Config, cfg *engine.Config) {
	t.Helper()
	for i, want := range []bool{false, true} {
		nc, done := goServer(t, goCfg)
		e, _ := engine.NewClient(cfg)
		c := adapters.NewConn(nc, e)
		if err := c.Handshake(context.Background()); err != nil {
			t.Fatal(err)
		}
		mustEcho(t, c, []byte("again")) // the echo also carries TLS 1.3 tickets in
		c.Close()
		res := <-done
		if res.err != nil || e.ConnectionState().DidResume != want || res.st.DidResume != want {
			t.Fatalf("connection %d: err %v, ours resumed %v, theirs %v", i, res.err, e.ConnectionState().DidResume, res.st.DidResume)
		}
	}
}

// resumeWithGoClient serves a crypto/tls client twice with our server: the
// first handshake is full, the second resumes, on both sides.
func resumeWithGoClient(t *testing.T, goCfg *tls.Config, cfg *engine.Config) {
	t.Helper()
	for i, want := range []bool{false, true} {
		ours, theirs := serveGoClient(t, goCfg, []byte("hello"), cfg)
		if ours.DidResume != want || theirs.DidResume != want {
			t.Fatalf("connection %d: ours resumed %v, theirs %v", i, ours.DidResume, theirs.DidResume)
		}
	}
}

// NPN belongs to each connection: a resumed TLS 1.2 handshake negotiates it
// again (the draft's abbreviated flow), and reports the version and suite.
func TestNPNOnResumption(t *testing.T) {
	c, s := resumeConfigs(t, func(s *engine.Config) { s.TicketKeys = engine.NewTicketKeys(0, 0) })
	c.NPNProtocols, s.NPNProtocols = []string{"http/1.1"}, []string{"spdy/2", "http/1.1"}
	for i, resumed := range []bool{false, true} {
		p := handshakePair(t, c, s)
		for _, e := range []*engine.Engine{p.Client, p.Server} {
			st := e.ConnectionState()
			if st.DidResume != resumed || st.NPNProtocol != "http/1.1" || st.Version != tls.VersionTLS12 || st.CipherSuite == 0 {
				t.Fatalf("connection %d: %+v", i, st)
			}
		}
	}
}
