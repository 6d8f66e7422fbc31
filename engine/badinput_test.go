package engine_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// rfcClient is the RFC 8448 client after sending its ClientHello.
func rfcClient(t *testing.T, v func(string, int, string) []byte) *engine.Engine {
	t.Helper()
	e, err := engine.NewClient(&engine.Config{
		ServerName:                 "server",
		InsecureAcceptUnauthorized: true,
		HelloShaper: rfcShaper{
			hello: v("{client}  construct a ClientHello", 0, "ClientHello"),
			key:   v("{client}  create an ephemeral x25519 key pair", 0, "private key"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, e)
	return e
}

// reseal decrypts the RFC server's encrypted flight, lets edit change the
// plaintext, and encrypts it again under the same key.
func reseal(t *testing.T, v func(string, int, string) []byte, edit func(plain []byte) []byte) []byte {
	t.Helper()
	suite := handshake.Suite13ByID(handshake.TLS_AES_128_GCM_SHA256)
	secret := v(`{server}  derive secret "tls13 s hs traffic"`, 0, "expanded")
	opener, _ := suite.NewProtector(secret)
	sealer, _ := suite.NewProtector(secret)
	rec := v("{server}  send handshake record", 1, "complete record")
	typ, plain, err := opener.Open(record.Record{Type: record.ContentType(rec[0]), Header: rec[:5], Body: append([]byte{}, rec[5:]...)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := sealer.Seal(nil, typ, edit(append([]byte{}, plain...)), 0)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// setServerHelloField returns the RFC ServerHello record with the bytes at
// offset (within the record) replaced.
func patched(rec []byte, offset int, b ...byte) []byte {
	out := append([]byte{}, rec...)
	copy(out[offset:], b)
	return out
}

// wantAlert checks err is a local AlertError with alert, that the error is
// sticky, and that the engine queued the alert for the peer.
func wantAlert(t *testing.T, e *engine.Engine, err error, alert record.Alert) {
	t.Helper()
	var ae *engine.AlertError
	if !errors.As(err, &ae) || ae.Alert != alert || ae.Remote {
		t.Fatalf("want local %v, got %v", alert, err)
	}
	if _, err2 := e.Cleartext().Write([]byte("x")); err2 != err {
		t.Fatalf("error not sticky: %v", err2)
	}
	sent := readAll(t, e)
	if len(sent) < 7 {
		t.Fatalf("no alert record sent (%x)", sent)
	}
	if sent[0] == byte(record.TypeAlert) && !bytes.Equal(sent[len(sent)-2:], []byte{2, byte(alert)}) {
		t.Fatalf("plaintext alert %x, want fatal %v", sent, alert)
	}
	if _, err3 := e.Encrypted().Read(make([]byte, 10)); err3 != err {
		t.Fatalf("after the alert, Encrypted().Read gives %v", err3)
	}
}

func TestBadInputClient(t *testing.T) {
	v := loadTrace(t)
	sh := v("{server}  send handshake record", 0, "complete record")
	// Offsets in the ServerHello record: 5 header + 4 message header +
	// 2 version + 32 random + 1 session ID length = 44: cipher suite.
	const suiteAt, groupAt, versionAt = 44, 53, len("") + 93
	tests := []struct {
		name  string
		feed  [][]byte
		alert record.Alert
	}{
		{"suite not offered", [][]byte{patched(sh, suiteAt, 0x13, 0x04)}, record.AlertIllegalParameter},
		{"group not offered", [][]byte{patched(sh, groupAt, 0x00, 0x17)}, record.AlertIllegalParameter},
		{"version not offered", [][]byte{patched(sh, versionAt, 0x03, 0x05)}, record.AlertIllegalParameter},
		{"TLS 1.2 chosen", [][]byte{patched(sh, versionAt, 0x03, 0x03)}, record.AlertIllegalParameter},
		{"garbage instead of ServerHello", [][]byte{[]byte("HTTP/1.1 400 Bad Request\r\n\r\n")}, record.AlertUnexpectedMessage},
		{"garbage in a handshake record", [][]byte{{22, 3, 3, 0, 6, 2, 0, 0, 2, 0xff, 0xff}}, record.AlertDecodeError},
		{"unknown content type", [][]byte{{0x19, 3, 3, 0, 1, 0}}, record.AlertUnexpectedMessage},
		{"oversized record", [][]byte{{23, 3, 3, 0x48, 0x01}}, record.AlertRecordOverflow},
		{"oversized plaintext record", [][]byte{append([]byte{22, 3, 3, 0x40, 0x01}, make([]byte, 0x4001)...)}, record.AlertRecordOverflow},
		{"application data before the handshake", [][]byte{{23, 3, 3, 0, 2, 'h', 'i'}}, record.AlertUnexpectedMessage},
		{"message over the size limit, refused on its header", [][]byte{{22, 3, 3, 0, 4, 2, 0x01, 0x00, 0x01}}, record.AlertIllegalParameter},
		{"handshake message spanning a key change", [][]byte{spanKeyChange(sh)}, record.AlertUnexpectedMessage},
		{"ChangeCipherSpec with a bad body", [][]byte{{20, 3, 3, 0, 1, 2}}, record.AlertUnexpectedMessage},
		{"wrong Finished", [][]byte{sh, reseal(t, v, func(p []byte) []byte { p[len(p)-1] ^= 1; return p })}, record.AlertDecryptError},
		{"bad CertificateVerify signature", [][]byte{sh, reseal(t, v, func(p []byte) []byte {
			at := bytes.Index(p, []byte{0x0f, 0x00, 0x00, 0x84})
			p[at+20] ^= 1
			return p
		})}, record.AlertDecryptError},
		{"tampered encrypted record", [][]byte{sh, patched(v("{server}  send handshake record", 1, "complete record"), 100, 0)}, record.AlertBadRecordMAC},
		// RFC 8446 section 5.1: nothing may follow the server's Finished in
		// its record, the end of its flight.
		{"handshake bytes after Finished", [][]byte{sh, reseal(t, v, func(p []byte) []byte { return append(p, 24, 0, 0, 1) })}, record.AlertUnexpectedMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := rfcClient(t, v)
			var err error
			for _, f := range tt.feed {
				if _, err = e.Encrypted().Write(f); err != nil {
					break
				}
			}
			wantAlert(t, e, err, tt.alert)
		})
	}
}

// appendToRecord returns a record with more bytes in it.
func appendToRecord(rec []byte, more ...byte) []byte {
	out := append(append([]byte{}, rec...), more...)
	n := len(out) - 5
	out[3], out[4] = byte(n>>8), byte(n)
	return out
}

// spanKeyChange appends the first bytes of another handshake message to the
// ServerHello record: they would straddle the switch to handshake keys.
func spanKeyChange(sh []byte) []byte {
	rec := append(append([]byte{}, sh...), 8, 0, 0)
	n := len(rec) - 5
	rec[3], rec[4] = byte(n>>8), byte(n)
	return rec
}

func TestBadInputServer(t *testing.T) {
	v := loadTrace(t)
	ch := v("{client}  send handshake record", 0, "complete record")
	tests := []struct {
		name  string
		feed  []byte
		alert record.Alert
	}{
		{"application data before the handshake", []byte{23, 3, 3, 0, 2, 'h', 'i'}, record.AlertUnexpectedMessage},
		{"ChangeCipherSpec before ClientHello", []byte{20, 3, 3, 0, 1, 1}, record.AlertUnexpectedMessage},
		{"ServerHello to a server", v("{server}  send handshake record", 0, "complete record"), record.AlertUnexpectedMessage},
		{"TLS 1.1-only ClientHello", patched(ch, bytes.Index(ch, []byte{0, 0x2b, 0, 3, 2, 3, 4})+5, 0x03, 0x02), record.AlertProtocolVersion},
		{"truncated ClientHello", []byte{22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0xcb, 0x34}, record.AlertDecodeError},
		{"message over the size limit", []byte{22, 3, 1, 0, 4, 1, 0x01, 0x00, 0x01}, record.AlertIllegalParameter},
		// RFC 8446 section 5.1: the ClientHello ends the client's flight.
		{"handshake bytes after the ClientHello", appendToRecord(ch, 1, 0, 0), record.AlertUnexpectedMessage},
		// An empty alert record: unexpected_message, as OpenSSL and crypto/tls
		// answer; a wrong-length one is decode_error (RFC 8446 section 6).
		{"empty alert record", []byte{21, 3, 3, 0, 0}, record.AlertUnexpectedMessage},
		{"three-byte alert record", []byte{21, 3, 3, 0, 3, 1, 0, 0}, record.AlertDecodeError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := engine.NewServer(serverConfig(t, certgen.ECDSAP256))
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Encrypted().Write(tt.feed)
			wantAlert(t, e, err, tt.alert)
		})
	}
}

// A server whose private key does not match its certificate produces a
// CertificateVerify that fails: the client aborts with decrypt_error.
func TestBadCertificateVerifyFromMismatchedKey(t *testing.T) {
	_, l := fixtures(t)
	other, _ := certgen.NewKey(certgen.ECDSAP256)
	s := serverConfig(t, certgen.ECDSAP256)
	s.Certificates = []tls.Certificate{{Certificate: l[certgen.ECDSAP256].Certificate, PrivateKey: other}}
	p, err := enginetest.NewPair(clientConfig(t), s)
	if err != nil {
		t.Fatal(err)
	}
	err = p.Handshake()
	p.Step() // deliver the client's alert
	var ae *engine.AlertError
	if !errors.As(p.Client.Err(), &ae) || ae.Alert != record.AlertDecryptError || ae.Remote {
		t.Fatalf("client error %v (run: %v)", p.Client.Err(), err)
	}
	if !errors.As(p.Server.Err(), &ae) || ae.Alert != record.AlertDecryptError || !ae.Remote {
		t.Fatalf("server should have received decrypt_error, has %v", p.Server.Err())
	}
}

// Handshake bytes after a message that ends the peer's flight, in the same
// record, are unexpected_message (RFC 8446 section 5.1): after a
// HelloRetryRequest, and after a TLS 1.2 ServerHelloDone.
func TestHandshakeBytesAfterFlight(t *testing.T) {
	cases := []struct {
		name  string
		setup func(c, s *engine.Config)
	}{
		{"after HelloRetryRequest", func(c, s *engine.Config) {
			c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}
			s.CurvePreferences = []tls.CurveID{tls.CurveP256}
		}},
		{"after ServerHelloDone", func(c, s *engine.Config) { s.MaxVersion = engine.VersionTLS12 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
			tc.setup(c, s)
			client, _ := engine.NewClient(c)
			server, _ := engine.NewServer(s)
			send(t, client, server)
			flight := readAll(t, server)
			last := lastRecordAt(flight)
			tampered := append(flight[:last:last], appendToRecord(flight[last:], 20, 0, 0)...)
			_, err := client.Encrypted().Write(tampered)
			wantAlert(t, client, err, record.AlertUnexpectedMessage)
		})
	}
}

// lastRecordAt returns where the last record of a run of records starts.
func lastRecordAt(recs []byte) int {
	at := 0
	for next := 0; next < len(recs); next += 5 + (int(recs[next+3])<<8 | int(recs[next+4])) {
		at = next
	}
	return at
}
