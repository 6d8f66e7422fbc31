package engine_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/record"
)

// earlyConfigs are a client that sends 0-RTT data and a server that takes up
// to 1 KiB of it with a replay guard; one handshake leaves a ticket behind.
func earlyConfigs(t *testing.T) (*engine.Config, *engine.Config) {
	c, s := resume13Configs(t)
	c.EarlyData = true
	s.MaxEarlyData = 1024
	s.EarlyDataGuard = engine.NewReplayGuard(0)
	connect13(t, c, s)
	return c, s
}

// earlyPair starts a pair whose client writes early data before anything
// moves, recording the client's first flight.
func earlyPair(t *testing.T, c, s *engine.Config, early []byte) (*enginetest.Pair, *bytes.Buffer) {
	t.Helper()
	p, flight, err := enginetest.NewEarlyPair(c, s, early)
	if err != nil {
		t.Fatal(err)
	}
	return p, flight
}

func readEarly(e *engine.Engine) string {
	buf := make([]byte, 4096)
	n, _ := e.ReadEarlyData(buf)
	return string(buf[:n])
}

// Our client and server agree on 0-RTT data, which the server's application
// gets apart from ordinary data.
func TestEarlyDataAccepted(t *testing.T) {
	c, s := earlyConfigs(t)
	p, _ := earlyPair(t, c, s, []byte("early hello"))
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if got := readEarly(p.Server); got != "early hello" {
		t.Fatalf("server's early data %q", got)
	}
	if !p.Client.ConnectionState().EarlyDataAccepted || !p.Server.ConnectionState().EarlyDataAccepted {
		t.Fatal("early data not reported accepted on both sides")
	}
	if err := p.Write(p.Client, []byte("ordinary")); err != nil || p.ServerGot.String() != "ordinary" {
		t.Fatalf("ordinary data %q, %v", p.ServerGot.String(), err)
	}
}

// A replayed ClientHello with early data: the guard refuses the early data
// the second time, though the ticket and binder are valid, and the server
// reports the replay as the reason.
func TestEarlyDataReplayRefused(t *testing.T) {
	c, s := earlyConfigs(t)
	p, flight := earlyPair(t, c, s, []byte("pay 100"))
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	victim, _ := engine.NewServer(s)
	victim.Encrypted().Write(flight.Bytes())
	if got := readEarly(victim); got != "" || victim.ConnectionState().EarlyDataAccepted {
		t.Fatalf("replayed early data accepted: %q", got)
	}
	if got := victim.ConnectionState().EarlyDataReason; got != engine.EarlyReplay {
		t.Fatalf("refusal reason %q", got)
	}
}

// A server that does not take early data refuses it cleanly: the handshake
// completes, nothing is sent again by itself (RFC 8446 section 4.2.10), and
// the client's application gets the bytes back to decide.
func TestEarlyDataRefusedIsReported(t *testing.T) {
	tests := []struct {
		name   string
		server func(*engine.Config)
	}{
		{"server without 0-RTT", func(s *engine.Config) { s.MaxEarlyData = 0 }},
		{"after HelloRetryRequest", func(s *engine.Config) { s.CurvePreferences = []tls.CurveID{tls.CurveP384} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := earlyConfigs(t)
			s2 := *s
			tt.server(&s2)
			p, _ := earlyPair(t, c, &s2, []byte("not lost"))
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			if err := p.Run(); err != nil {
				t.Fatal(err)
			}
			if p.Client.ConnectionState().EarlyDataAccepted || readEarly(p.Server) != "" {
				t.Fatal("early data reported accepted")
			}
			if p.ServerGot.Len() != 0 {
				t.Fatalf("the client resent %q by itself", p.ServerGot.String())
			}
			var refused []byte
			for ev, ok := p.Client.NextEvent(); ok; ev, ok = p.Client.NextEvent() {
				if ev.Kind == engine.EventEarlyDataRejected {
					refused = append(refused, ev.EarlyData...)
				}
			}
			if string(refused) != "not lost" {
				t.Fatalf("rejected early data reported as %q", refused)
			}
			if err := p.Write(p.Client, refused); err != nil || p.ServerGot.String() != "not lost" {
				t.Fatalf("sent again by the application: %q, %v", p.ServerGot.String(), err)
			}
		})
	}
}

// Early data over the server's limit ends the handshake with unexpected_message.
func TestEarlyDataOverLimit(t *testing.T) {
	c, s := earlyConfigs(t)
	s2 := *s
	s2.MaxEarlyData = 8 // the ticket (from s) allows 1 KiB
	p, _ := earlyPair(t, c, &s2, bytes.Repeat([]byte("x"), 100))
	p.Handshake()
	var ae *engine.AlertError
	if !errors.As(p.Server.Err(), &ae) || ae.Alert != record.AlertUnexpectedMessage {
		t.Fatalf("server: %v, want unexpected_message", p.Server.Err())
	}
}
