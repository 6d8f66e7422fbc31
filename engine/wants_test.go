package engine_test

import (
	"errors"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// send moves every ciphertext byte from one engine to the other without
// reading cleartext or events on either side.
func send(t *testing.T, from, to *engine.Engine) {
	t.Helper()
	buf := make([]byte, 64<<10)
	for {
		n, _ := from.Encrypted().Read(buf)
		if n == 0 {
			return
		}
		for data := buf[:n]; len(data) > 0; {
			m, err := to.Encrypted().Write(data)
			data = data[m:]
			if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
				return // the receiver failed: the case under test says so
			}
			if m == 0 {
				return // paused: the case under test says why
			}
		}
	}
}

// sendReadingCleartext moves the ciphertext from one engine to the other,
// reading the receiver's cleartext (not its events) as it goes; it returns
// how many cleartext bytes it read.
func sendReadingCleartext(t *testing.T, from, to *engine.Engine) int {
	t.Helper()
	var pending []byte
	buf, clear := make([]byte, 64<<10), make([]byte, 1024)
	read := 0
	for {
		if len(pending) == 0 {
			n, _ := from.Encrypted().Read(buf)
			pending = buf[:n]
		}
		n, err := to.Encrypted().Write(pending)
		pending = pending[n:]
		for {
			m, _ := to.Cleartext().Read(clear)
			if m == 0 {
				break
			}
			read += m
		}
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			t.Fatal(err)
		}
		if len(pending) == 0 && from.Wants()&engine.HasCiphertext == 0 || n == 0 && to.Wants()&engine.InputPaused != 0 {
			return read
		}
	}
}

func drainEvents(e *engine.Engine) int {
	n := 0
	for _, ok := e.NextEvent(); ok; _, ok = e.NextEvent() {
		n++
	}
	return n
}

// The engine says what it needs next at every stage: handshake, data, a
// KeyUpdate flood, an event backlog, close, failure.
func TestWants(t *testing.T) {
	const (
		in     = engine.WantsInput
		out    = engine.HasCiphertext
		clear  = engine.HasCleartext
		events = engine.HasEvents
		paused = engine.InputPaused
		done   = engine.Finished
	)
	cases := []struct {
		name                   string
		run                    func(t *testing.T, c, s *engine.Engine)
		wantClient, wantServer engine.Wants
	}{
		{"fresh", func(*testing.T, *engine.Engine, *engine.Engine) {}, in | out, in},
		{"ClientHello delivered", func(t *testing.T, c, s *engine.Engine) { send(t, c, s) }, in, in | out},
		{"handshake done, events unread", func(t *testing.T, c, s *engine.Engine) {
			send(t, c, s)
			send(t, s, c)
			send(t, c, s)
		}, in | events, in | events},
		{"data waiting: input pauses until it is read", func(t *testing.T, c, s *engine.Engine) {
			shakeHands(t, c, s)
			c.Cleartext().Write([]byte("one"))
			c.Cleartext().Write([]byte("two"))
			send(t, c, s)
		}, in, clear | paused},
		{"data read", func(t *testing.T, c, s *engine.Engine) {
			shakeHands(t, c, s)
			c.Cleartext().Write([]byte("one"))
			send(t, c, s)
			s.Cleartext().Read(make([]byte, 10))
		}, in, in},
		{"KeyUpdate flood: cut off after 32 records without data", func(t *testing.T, c, s *engine.Engine) {
			shakeHands(t, c, s)
			for range 40 {
				c.KeyUpdate(true)
			}
			send(t, c, s)
		}, in | events, out | events | done},
		{"event backlog: input pauses until events are read", func(t *testing.T, c, s *engine.Engine) {
			shakeHands(t, c, s)
			for range 70 {
				c.KeyUpdate(false)
				c.Cleartext().Write([]byte("x"))
			}
			drainEvents(c)
			first := sendReadingCleartext(t, c, s)
			if got := s.Wants(); got != events|paused {
				t.Errorf("server wants %v with 64 events unread, want %v", got, events|paused)
			}
			if n := drainEvents(s); n != 64 {
				t.Errorf("read %d events before the pause, want 64", n)
			}
			if got := first + sendReadingCleartext(t, c, s); got != 70 {
				t.Errorf("%d bytes of 70 arrived", got)
			}
			drainEvents(s)
		}, in, in},
		{"peer closed", func(t *testing.T, c, s *engine.Engine) {
			shakeHands(t, c, s)
			c.Close()
			send(t, c, s)
		}, in, events},
		{"both closed", func(t *testing.T, c, s *engine.Engine) {
			shakeHands(t, c, s)
			c.Close()
			send(t, c, s)
			s.Close()
			send(t, s, c)
			drainEvents(s)
		}, events | done, done},
		{"handshake refused", func(t *testing.T, c, s *engine.Engine) {
			s.Encrypted().Write([]byte("GET / HTTP/1.1\r\n\r\n"))
		}, in | out, out | events | done},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := engine.NewClient(clientConfig(t))
			if err != nil {
				t.Fatal(err)
			}
			s, err := engine.NewServer(serverConfig(t, certgen.ECDSAP256))
			if err != nil {
				t.Fatal(err)
			}
			tc.run(t, c, s)
			if got := c.Wants(); got != tc.wantClient {
				t.Errorf("client wants %v, want %v", got, tc.wantClient)
			}
			if got := s.Wants(); got != tc.wantServer {
				t.Errorf("server wants %v, want %v", got, tc.wantServer)
			}
		})
	}
}

// shakeHands completes a handshake and reads the events it left.
func shakeHands(t *testing.T, c, s *engine.Engine) {
	t.Helper()
	send(t, c, s)
	send(t, s, c)
	send(t, c, s)
	if !c.HandshakeComplete() || !s.HandshakeComplete() {
		t.Fatal("handshake did not complete")
	}
	drainEvents(c)
	drainEvents(s)
}
