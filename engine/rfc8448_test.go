package engine_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"io"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/internal/rfc8448"
	"github.com/securepair/securepair/securepairtest/certgen"
)

func loadTrace(t *testing.T) func(step string, n int, field string) []byte {
	t.Helper()
	tr, err := rfc8448.Load("../testdata/rfc8448/section3-simple-1rtt.txt")
	if err != nil {
		t.Fatal(err)
	}
	return tr.MustValue
}

// readAll takes every byte the engine wants sent.
func readAll(t *testing.T, e *engine.Engine) []byte {
	t.Helper()
	var out bytes.Buffer
	buf := make([]byte, 4096)
	for {
		n, _ := e.Encrypted().Read(buf)
		if n == 0 {
			return out.Bytes()
		}
		out.Write(buf[:n])
	}
}

func mustFeed(t *testing.T, e *engine.Engine, data []byte) {
	t.Helper()
	if _, err := e.Encrypted().Write(data); err != nil {
		t.Fatal(err)
	}
}

// Fed the RFC's ClientHello, server random and key share, our server emits
// the RFC's ServerHello record byte for byte.
func TestRFC8448ServerHello(t *testing.T) {
	v := loadTrace(t)
	sh := v("{server}  construct a ServerHello", 0, "ServerHello")
	serverRandom := sh[6:38]
	serverKey := v("{server}  create an ephemeral x25519 key pair", 0, "private key")
	cfg := serverConfig(t, certgen.ECDSAP256)
	cfg.Rand = io.MultiReader(bytes.NewReader(append(append([]byte{}, serverRandom...), serverKey...)), rand.Reader)
	e, err := engine.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	mustFeed(t, e, v("{client}  send handshake record", 0, "complete record"))
	out := readAll(t, e)
	want := v("{server}  send handshake record", 0, "complete record")
	if len(out) < len(want) || !bytes.Equal(out[:len(want)], want) {
		t.Fatalf("ServerHello record:\n got %x\nwant %x", out[:min(len(out), len(want))], want)
	}
}

// rfcShaper replays the RFC's ClientHello and private key.
type rfcShaper struct {
	hello []byte
	key   []byte
}

func (s rfcShaper) ShapeHello(*engine.Config) (*engine.ShapedHello, error) {
	k, err := ecdh.X25519().NewPrivateKey(s.key)
	if err != nil {
		return nil, err
	}
	return &engine.ShapedHello{Raw: s.hello, Keys: []*handshake.ClientKeyShare{{Group: handshake.GroupX25519, ECDH: k}}}, nil
}

// Fed the RFC's ClientHello and key, and the RFC's server flight, our client
// emits exactly the RFC's Finished record, then its application data and
// close_notify records, and decrypts the server's ticket and data.
func TestRFC8448ClientFlight(t *testing.T) {
	v := loadTrace(t)
	cfg := &engine.Config{
		ServerName:                 "server",
		InsecureAcceptUnauthorized: true, // the RFC's certificate is self-signed and names "rsa"
		HelloShaper: rfcShaper{
			hello: v("{client}  construct a ClientHello", 0, "ClientHello"),
			key:   v("{client}  create an ephemeral x25519 key pair", 0, "private key"),
		},
	}
	e, err := engine.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name     string
		feed     []byte
		wantSent []byte
	}{
		{"ClientHello", nil, v("{client}  send handshake record", 0, "complete record")},
		{"ServerHello", v("{server}  send handshake record", 0, "complete record"), nil},
		{"Finished", v("{server}  send handshake record", 1, "complete record"), v("{client}  send handshake record", 1, "complete record")},
		{"NewSessionTicket", v("{server}  send handshake record", 2, "complete record"), nil},
	}
	for _, s := range steps {
		if s.feed != nil {
			mustFeed(t, e, s.feed)
		}
		if got := readAll(t, e); !bytes.Equal(got, s.wantSent) {
			t.Fatalf("after %s, sent:\n got %x\nwant %x", s.name, got, s.wantSent)
		}
	}
	st := e.ConnectionState()
	if !st.HandshakeComplete || st.Authorized || st.AuthorizationError == nil {
		t.Fatalf("want a complete, unauthorized handshake: %+v", st)
	}
	evs := collectEvents(e)
	if len(evs) != 2 || evs[0].Kind != engine.EventHandshakeDone || evs[1].Kind != engine.EventSessionTicket {
		t.Fatalf("events %+v", evs)
	}

	// Application data both ways: the RFC's 50 bytes 0x00..0x31.
	payload := make([]byte, 50)
	for i := range payload {
		payload[i] = byte(i)
	}
	if _, err := e.Cleartext().Write(payload); err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, e), v("{client}  send application_data record", 0, "complete record"); !bytes.Equal(got, want) {
		t.Fatalf("application data record:\n got %x\nwant %x", got, want)
	}
	mustFeed(t, e, v("{server}  send application_data record", 0, "complete record"))
	got := make([]byte, 100)
	n, err := e.Cleartext().Read(got)
	if err != nil || !bytes.Equal(got[:n], payload) {
		t.Fatalf("server data: %x, %v", got[:n], err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, e), v("{client}  send alert record", 0, "complete record"); !bytes.Equal(got, want) {
		t.Fatalf("close_notify record:\n got %x\nwant %x", got, want)
	}
	mustFeed(t, e, v("{server}  send alert record", 0, "complete record"))
	if _, err := e.Cleartext().Read(got); err != io.EOF {
		t.Fatalf("after the server's close_notify, Read gives %v, want io.EOF", err)
	}
}
