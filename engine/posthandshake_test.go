package engine_test

import (
	"errors"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// Several update_requested KeyUpdates that arrive together get one answer,
// not one each (RFC 8446 section 4.6.3: the receiver sends its own KeyUpdate
// before its next Application Data record).
func TestKeyUpdateRequestsAnsweredOnce(t *testing.T) {
	p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	drainEvents(p.Client)
	drainEvents(p.Server)
	for range 10 {
		if err := p.Client.KeyUpdate(true); err != nil {
			t.Fatal(err)
		}
	}
	send(t, p.Client, p.Server)
	local, peer := 0, 0
	for ev, ok := p.Server.NextEvent(); ok; ev, ok = p.Server.NextEvent() {
		if ev.Kind == engine.EventKeyUpdated && ev.Local {
			local++
		} else if ev.Kind == engine.EventKeyUpdated {
			peer++
		}
	}
	if peer != 10 || local != 1 {
		t.Fatalf("server: %d peer updates, %d of its own; want 10 and 1", peer, local)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(p.Server, []byte("after")); err != nil {
		t.Fatal(err)
	}
	if got := p.ClientGot.String(); got != "after" {
		t.Fatalf("client read %q", got)
	}
}

// A peer that sends nothing but KeyUpdates (100,000 of them, each asking for
// an answer) is cut off after 32 records without data with
// unexpected_message, as crypto/tls and BoringSSL do; what it costs the
// server stays bounded: a few dozen key changes, no answers, one alert.
func TestKeyUpdateFloodBounded(t *testing.T) {
	p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	drainEvents(p.Server)
	var flood []byte
	buf := make([]byte, 64<<10)
	for i := range 100_000 {
		if err := p.Client.KeyUpdate(true); err != nil {
			t.Fatal(err)
		}
		if i%1000 == 999 {
			for n, _ := p.Client.Encrypted().Read(buf); n > 0; n, _ = p.Client.Encrypted().Read(buf) {
				flood = append(flood, buf[:n]...)
			}
			drainEvents(p.Client)
		}
	}
	var err error
	fed := 0
	for fed < len(flood) && err == nil {
		var n int
		n, err = p.Server.Encrypted().Write(flood[fed:min(fed+4096, len(flood))])
		fed += n
		if errors.Is(err, engine.ErrWouldBlock) {
			err = nil
			drainEvents(p.Server)
		}
	}
	var ae *engine.AlertError
	if !errors.As(err, &ae) || ae.Alert != engine.AlertUnexpectedMessage || ae.Remote {
		t.Fatalf("flood ended with %v after %d of %d bytes", err, fed, len(flood))
	}
	updates := 0
	for ev, ok := p.Server.NextEvent(); ok; ev, ok = p.Server.NextEvent() {
		if ev.Kind == engine.EventKeyUpdated {
			updates++
		}
	}
	if updates > 33 || fed > 64<<10 {
		t.Fatalf("the server took %d bytes and %d key updates before stopping", fed, updates)
	}
	if out := p.Server.Encrypted().Pending(); out > 64 {
		t.Fatalf("the server queued %d bytes for the flooder", out)
	}
}
