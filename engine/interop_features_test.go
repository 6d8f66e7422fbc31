package engine_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// collectEvents drains the engine's event queue.
func collectEvents(e *engine.Engine) []engine.Event {
	var evs []engine.Event
	for ev, ok := e.NextEvent(); ok; ev, ok = e.NextEvent() {
		evs = append(evs, ev)
	}
	return evs
}

func countKeyUpdates(evs []engine.Event, local bool) int {
	n := 0
	for _, ev := range evs {
		if ev.Kind == engine.EventKeyUpdated && ev.Local == local {
			n++
		}
	}
	return n
}

func bigPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}

// Our client against a crypto/tls echo server: HelloRetryRequest, KeyUpdate
// mid-stream, 1 MiB each way, ALPN.
func TestInteropClientFeatures(t *testing.T) {
	_, l := fixtures(t)
	cert := l[certgen.ECDSAP256]
	tests := []struct {
		name  string
		ours  func(*engine.Config)
		goCfg *tls.Config
		check func(t *testing.T, c *adapters.Conn)
	}{
		{
			name:  "HelloRetryRequest",
			ours:  func(c *engine.Config) { c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256} },
			goCfg: &tls.Config{CurvePreferences: []tls.CurveID{tls.CurveP256}},
			check: func(t *testing.T, c *adapters.Conn) {
				st := c.Engine().ConnectionState()
				if !st.DidHelloRetry || st.Group != tls.CurveP256 {
					t.Fatalf("want a HelloRetryRequest to P-256, got retry=%v group=%v", st.DidHelloRetry, st.Group)
				}
				mustEcho(t, c, []byte("after retry"))
			},
		},
		{
			name: "KeyUpdate both directions mid-stream",
			check: func(t *testing.T, c *adapters.Conn) {
				mustEcho(t, c, bigPayload(100<<10))
				var evs []engine.Event
				c.OnEvent = func(ev engine.Event) { evs = append(evs, ev) }
				if err := c.KeyUpdate(true); err != nil {
					t.Fatal(err)
				}
				mustEcho(t, c, bigPayload(100<<10))
				if countKeyUpdates(evs, true) != 1 || countKeyUpdates(evs, false) != 1 {
					t.Fatalf("want one local and one peer key update, got %+v", evs)
				}
			},
		},
		{
			name:  "1 MiB echo",
			check: func(t *testing.T, c *adapters.Conn) { mustEcho(t, c, bigPayload(1<<20)) },
		},
		{
			name:  "ALPN agreed",
			ours:  func(c *engine.Config) { c.NextProtos = []string{"h2", "http/1.1"} },
			goCfg: &tls.Config{NextProtos: []string{"http/1.1"}},
			check: func(t *testing.T, c *adapters.Conn) {
				if p := c.Engine().ConnectionState().NegotiatedProtocol; p != "http/1.1" {
					t.Fatalf("ALPN %q", p)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			goCfg := tt.goCfg.Clone()
			if goCfg == nil {
				goCfg = &tls.Config{}
			}
			goCfg.Certificates = []tls.Certificate{cert}
			nc, done := goServer(t, goCfg)
			cfg := clientConfig(t)
			if tt.ours != nil {
				tt.ours(cfg)
			}
			_, c := dialOurs(t, cfg, nc)
			tt.check(t, c)
			c.Close()
			if res := <-done; res.err != nil {
				t.Fatalf("crypto/tls server: %v", res.err)
			}
		})
	}
}

func mustEcho(t *testing.T, c *adapters.Conn, payload []byte) {
	t.Helper()
	if err := echoThrough(c, payload); err != nil {
		t.Fatal(err)
	}
}

// A crypto/tls client against our echo server: HelloRetryRequest, KeyUpdate,
// 1 MiB each way, ALPN.
func TestInteropServerFeatures(t *testing.T) {
	var served []engine.Event // what our server saw, for the checks
	ca, _ := fixtures(t)
	tests := []struct {
		name      string
		ours      func(*engine.Config)
		goCfg     *tls.Config
		payload   []byte
		keyUpdate bool // our server starts a KeyUpdate once the first bytes arrive
		check     func(t *testing.T, e *engine.Engine, theirs tls.ConnectionState)
	}{
		{
			name:  "HelloRetryRequest",
			ours:  func(c *engine.Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} },
			goCfg: &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}},
			check: func(t *testing.T, e *engine.Engine, _ tls.ConnectionState) {
				if st := e.ConnectionState(); !st.DidHelloRetry || st.Group != tls.CurveP256 {
					t.Fatalf("want a HelloRetryRequest to P-256, got %+v", st)
				}
			},
		},
		{
			name:      "KeyUpdate both directions mid-stream",
			payload:   bigPayload(300 << 10),
			keyUpdate: true,
			check: func(t *testing.T, e *engine.Engine, _ tls.ConnectionState) {
				if countKeyUpdates(served, true) != 1 || countKeyUpdates(served, false) != 1 {
					t.Fatalf("want one local and one peer key update, got %+v", served)
				}
			},
		},
		{name: "1 MiB echo", payload: bigPayload(1 << 20)},
		{
			name:  "ALPN agreed",
			ours:  func(c *engine.Config) { c.NextProtos = []string{"h2", "http/1.1"} },
			goCfg: &tls.Config{NextProtos: []string{"http/1.1", "h2"}},
			check: func(t *testing.T, e *engine.Engine, theirs tls.ConnectionState) {
				if e.ConnectionState().NegotiatedProtocol != "h2" || theirs.NegotiatedProtocol != "h2" {
					t.Fatalf("ALPN ours %q theirs %q (server preference must win)", e.ConnectionState().NegotiatedProtocol, theirs.NegotiatedProtocol)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payload := tt.payload
			if payload == nil {
				payload = []byte("ping")
			}
			goCfg := tt.goCfg.Clone()
			if goCfg == nil {
				goCfg = &tls.Config{}
			}
			goCfg.RootCAs, goCfg.ServerName, goCfg.Time = ca.Pool, testHost, fixedTime
			nc, done := goClient(t, goCfg, payload)
			cfg := serverConfig(t, certgen.ECDSAP256)
			if tt.ours != nil {
				tt.ours(cfg)
			}
			e, err := engine.NewServer(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if served, err = serveEcho(e, nc, tt.keyUpdate); err != nil {
				t.Fatalf("our server: %v", err)
			}
			res := <-done
			if res.err != nil {
				t.Fatalf("crypto/tls client: %v", res.err)
			}
			if tt.check != nil {
				tt.check(t, e, res.st)
			}
		})
	}
}

// ALPN with no protocol in common ends the handshake with
// no_application_protocol, whichever side is ours.
func TestInteropALPNMismatch(t *testing.T) {
	ca, l := fixtures(t)
	t.Run("our client", func(t *testing.T) {
		nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}, NextProtos: []string{"bar"}})
		cfg := clientConfig(t)
		cfg.NextProtos = []string{"foo"}
		e, _ := engine.NewClient(cfg)
		err := adapters.NewConn(nc, e).Handshake(context.Background())
		var ae *engine.AlertError
		if !errors.As(err, &ae) || ae.Alert != record.AlertNoApplicationProtocol || !ae.Remote {
			t.Fatalf("want a received no_application_protocol, got %v", err)
		}
		if res := <-done; res.err == nil {
			t.Fatal("crypto/tls server accepted")
		}
	})
	t.Run("our server", func(t *testing.T) {
		nc, done := goClient(t, &tls.Config{RootCAs: ca.Pool, ServerName: testHost, Time: fixedTime, NextProtos: []string{"foo"}}, []byte("x"))
		cfg := serverConfig(t, certgen.ECDSAP256)
		cfg.NextProtos = []string{"bar"}
		e, _ := engine.NewServer(cfg)
		err := adapters.NewConn(nc, e).Handshake(context.Background())
		var ae *engine.AlertError
		if !errors.As(err, &ae) || ae.Alert != record.AlertNoApplicationProtocol || ae.Remote {
			t.Fatalf("want a sent no_application_protocol, got %v", err)
		}
		res := <-done
		if res.err == nil || !strings.Contains(res.err.Error(), "no application protocol") {
			t.Fatalf("crypto/tls client should see no_application_protocol, got %v", res.err)
		}
	})
}
