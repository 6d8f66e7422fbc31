package engine_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// A server certificate that does not verify ends the handshake with the
// alert RFC 8446 gives, unless the client accepts and reports.
func TestCertificateVerification(t *testing.T) {
	other, err := certgen.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		client func(*engine.Config)
		alert  record.Alert
	}{
		{"unknown CA", func(c *engine.Config) { c.RootCAs = other.Pool }, record.AlertUnknownCA},
		{"expired", func(c *engine.Config) { c.Time = func() time.Time { return certgen.Epoch.AddDate(6, 0, 0) } }, record.AlertCertificateExpired},
		{"wrong name", func(c *engine.Config) { c.ServerName = "other.test" }, record.AlertBadCertificate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientConfig(t)
			tt.client(c)
			p, err := enginetest.NewPair(c, serverConfig(t, certgen.ECDSAP256))
			if err != nil {
				t.Fatal(err)
			}
			p.Handshake()
			p.Step() // deliver the alert
			var ae *engine.AlertError
			if !errors.As(p.Client.Err(), &ae) || ae.Alert != tt.alert || ae.Remote {
				t.Fatalf("client: want local %v, got %v", tt.alert, p.Client.Err())
			}
			if !errors.As(p.Server.Err(), &ae) || ae.Alert != tt.alert || !ae.Remote {
				t.Fatalf("server: want received %v, got %v", tt.alert, p.Server.Err())
			}

			c.InsecureAcceptUnauthorized = true
			p = handshakePair(t, c, serverConfig(t, certgen.ECDSAP256))
			st := p.Client.ConnectionState()
			if st.Authorized || !errors.As(st.AuthorizationError, &ae) || ae.Alert != tt.alert {
				t.Fatalf("accept-and-report: Authorized=%v AuthorizationError=%v", st.Authorized, st.AuthorizationError)
			}
			if len(st.PeerCertificates) != 2 {
				t.Fatalf("peer certificates: %d", len(st.PeerCertificates))
			}
		})
	}
}

// Both sides report the handshake, and data written before it completed
// is delivered after.
func TestEventsAndEarlyWrites(t *testing.T) {
	p, err := enginetest.NewPair(clientConfig(t), serverConfig(t, certgen.Ed25519))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Client.Cleartext().Write([]byte("written before the handshake")); err != nil {
		t.Fatal(err)
	}
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if p.ServerGot.String() != "written before the handshake" {
		t.Fatalf("server got %q", p.ServerGot.String())
	}
	for _, e := range []*engine.Engine{p.Client, p.Server} {
		evs := collectEvents(e)
		if len(evs) != 1 || evs[0].Kind != engine.EventHandshakeDone {
			t.Fatalf("events %+v", evs)
		}
	}
}

// KeyUpdate between our own engines, with and without update_requested.
func TestKeyUpdate(t *testing.T) {
	for _, request := range []bool{false, true} {
		p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
		collectEvents(p.Client)
		collectEvents(p.Server)
		if err := p.Client.KeyUpdate(request); err != nil {
			t.Fatal(err)
		}
		if err := p.Write(p.Client, []byte("after the client's update")); err != nil {
			t.Fatal(err)
		}
		if err := p.Write(p.Server, []byte("server answers")); err != nil {
			t.Fatal(err)
		}
		if err := p.Run(); err != nil {
			t.Fatal(err)
		}
		if p.ServerGot.String() != "after the client's update" || p.ClientGot.String() != "server answers" {
			t.Fatalf("data: %q / %q", p.ServerGot.String(), p.ClientGot.String())
		}
		c, s := collectEvents(p.Client), collectEvents(p.Server)
		wantServerLocal := 0
		if request {
			wantServerLocal = 1
		}
		if countKeyUpdates(c, true) != 1 || countKeyUpdates(s, false) != 1 ||
			countKeyUpdates(s, true) != wantServerLocal || countKeyUpdates(c, false) != wantServerLocal {
			t.Fatalf("request=%v: client events %+v, server events %+v", request, c, s)
		}
	}
}

// close_notify ends reading with io.EOF; a stream cut without it is a
// truncation error, never a clean EOF.
func TestCloseAndTruncation(t *testing.T) {
	p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	p.Client.Close()
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Server.Cleartext().Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after close_notify: %v, want io.EOF", err)
	}
	if _, err := p.Client.Cleartext().Write([]byte("x")); !errors.Is(err, engine.ErrClosed) {
		t.Fatalf("write after Close: %v", err)
	}

	p = handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	p.Server.Encrypted().Close() // the transport ended, no close_notify
	if _, err := p.Server.Cleartext().Read(make([]byte, 1)); !errors.Is(err, engine.ErrTruncated) {
		t.Fatalf("cut stream: %v, want ErrTruncated", err)
	}
}

// A ChangeCipherSpec after the handshake, or one sent under encryption, is
// refused with unexpected_message.
func TestChangeCipherSpecOutOfPlace(t *testing.T) {
	p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	_, err := p.Server.Encrypted().Write([]byte{20, 3, 3, 0, 1, 1})
	var ae *engine.AlertError
	if !errors.As(err, &ae) || ae.Alert != record.AlertUnexpectedMessage {
		t.Fatalf("CCS after the handshake: %v", err)
	}
}

// A peer that floods data the application never reads cannot make the
// engine hold more than its bounded buffers: input is refused with
// ErrWouldBlock instead.
func TestFloodStaysBounded(t *testing.T) {
	p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	chunk := bigPayload(16 << 10)
	wire := make([]byte, 64<<10)
	refused := false
	for i := 0; i < 640 && !refused; i++ { // up to 10 MiB
		if _, err := p.Client.Cleartext().Write(chunk); err != nil {
			t.Fatal(err)
		}
		n, _ := p.Client.Encrypted().Read(wire)
		if _, err := p.Server.Encrypted().Write(wire[:n]); errors.Is(err, engine.ErrWouldBlock) {
			refused = true
		} else if err != nil {
			t.Fatal(err)
		}
		if held := engine.HeldBufferBytes(p.Server); held > record.BufferSize {
			t.Fatalf("server holds %d bytes", held)
		}
	}
	if !refused {
		t.Fatal("the server took 10 MiB without its cleartext being read")
	}
}
