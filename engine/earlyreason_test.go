package engine_test

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
)

// Why 0-RTT data was not taken, on each side, for each cause (RFC 8446
// sections 4.2.10 and 8): nothing on the wire says why, so each side
// reports what it knows.
func TestEarlyDataReasons(t *testing.T) {
	tests := []struct {
		name                 string
		setup                func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config)
		client, server       engine.EarlyDataReason
		clientSendsEarlyData bool
	}{
		{"accepted", func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config) { return c, s }, "", "", true},
		{"no ticket cached", func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config) {
			c2 := *c
			c2.ClientSessionCache = engine.NewClientSessionCache(1)
			return &c2, s
		}, engine.EarlyNoTicket, "", false},
		{"the ticket does not allow it", func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config) {
			c2, s2 := *c, *s
			c2.ClientSessionCache, s2.MaxEarlyData = engine.NewClientSessionCache(1), 0
			connect13(t, &c2, &s2) // a ticket without the early data allowance
			return &c2, s
		}, engine.EarlyNoTicket, "", false},
		{"the ticket is past its lifetime", func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config) {
			c2 := *c
			c2.ClientSessionCache = &mapStore{m: map[string][]byte{}} // a store that keeps sessions past their ttl
			connect13(t, &c2, s)
			c2.Time = func() time.Time { return fixedTime().Add(8 * 24 * time.Hour) }
			return &c2, s
		}, engine.EarlyTicketTooOld, "", false},
		{"the server takes none now", func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config) {
			s2 := *s
			s2.MaxEarlyData = 0
			return c, &s2
		}, engine.EarlyRefused, engine.EarlyNotAllowed, true},
		{"the ALPN protocol changed", func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config) {
			c2, s2 := *c, *s
			c2.NextProtos, s2.NextProtos = []string{"old", "new"}, []string{"old"}
			connect13(t, &c2, &s2) // the ticket remembers "old"
			s2.NextProtos = []string{"new"}
			return &c2, &s2
		}, engine.EarlyRefused, engine.EarlyALPNChanged, true},
		{"HelloRetryRequest", func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config) {
			c2, s2 := *c, *s
			c2.CurvePreferences, s2.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}, []tls.CurveID{tls.CurveP256}
			return &c2, &s2
		}, engine.EarlyHelloRetry, engine.EarlyHelloRetry, true},
		{"the ticket's age is off at the server", func(t *testing.T, c, s *engine.Config) (*engine.Config, *engine.Config) {
			s2 := *s
			s2.Time = func() time.Time { return fixedTime().Add(time.Minute) }
			return c, &s2
		}, engine.EarlyRefused, engine.EarlyTicketTooOld, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := earlyConfigs(t)
			c, s = tt.setup(t, c, s)
			p, err := enginetest.NewPair(c, s)
			if err != nil {
				t.Fatal(err)
			}
			sent, _ := p.Client.WriteEarlyData([]byte("early"))
			if (sent > 0) != tt.clientSendsEarlyData {
				t.Fatalf("the client sent %d early bytes", sent)
			}
			if err := p.Handshake(); err != nil {
				t.Fatal(err)
			}
			cs, ss := p.Client.ConnectionState(), p.Server.ConnectionState()
			if cs.EarlyDataReason != tt.client || ss.EarlyDataReason != tt.server {
				t.Fatalf("client %q (want %q), server %q (want %q)", cs.EarlyDataReason, tt.client, ss.EarlyDataReason, tt.server)
			}
			if cs.EarlyDataAccepted != (tt.client == "") {
				t.Fatalf("accepted %v with reason %q", cs.EarlyDataAccepted, cs.EarlyDataReason)
			}
		})
	}
}
