package engine

import (
	"crypto/tls"
	"time"

	"github.com/securepair/securepair/securepairtest/certgen"

	"bytes"
	"errors"
	"github.com/securepair/securepair/engine/internal/machine"
	"testing"

	"github.com/securepair/securepair/record"
)

// With application keys installed but the handshake not yet complete (TLS
// 1.2 between the peer's CCS and its Finished), application data is refused.
func TestApplicationDataBeforeFinishedRefused(t *testing.T) {
	key, iv := bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 4)
	seal, _ := record.NewProtector12(record.AES128GCM, key, iv)
	open, _ := record.NewProtector12(record.AES128GCM, key, iv)
	e := &Engine{readProt: open, readLevel: machine.LevelApplication}
	rec, _ := seal.Seal(nil, record.TypeApplicationData, []byte("too early"), 0)
	_, err := e.Encrypted().Write(rec)
	var ae *AlertError
	if !errors.As(err, &ae) || ae.Alert != record.AlertUnexpectedMessage {
		t.Fatalf("got %v, want unexpected_message", err)
	}
	if e.Cleartext().Buffered() != 0 {
		t.Fatal("the data was delivered")
	}
}

// shake runs a handshake between two engines by hand.
func shake(t *testing.T, c, s *Engine) {
	t.Helper()
	buf := make([]byte, 64<<10)
	for {
		n, _ := c.Encrypted().Read(buf)
		s.Encrypted().Write(buf[:n])
		m, _ := s.Encrypted().Read(buf)
		c.Encrypted().Write(buf[:m])
		if n == 0 && m == 0 {
			break
		}
	}
	if !c.HandshakeComplete() || !s.HandshakeComplete() {
		t.Fatalf("handshake: %v / %v", c.Err(), s.Err())
	}
}

// In TLS 1.2 a warning alert (unrecognized_name here) does not end the
// connection (RFC 5246 section 7.2, RFC 6066 section 3), but a run of them
// with no data counts against the limit of records without content; in TLS
// 1.3 the same alert is fatal (RFC 8446 section 6).
func TestWarningAlerts(t *testing.T) {
	ca, err := certgen.NewCA("warnings CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf(certgen.ECDSAP256, []string{"warn.test"}, certgen.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version  uint16
		warnings int
		survives bool
	}{
		{VersionTLS12, 1, true},
		{VersionTLS12, maxUselessRecords, true},
		{VersionTLS12, maxUselessRecords + 1, false},
		{VersionTLS13, 1, false},
	} {
		now := func() time.Time { return certgen.Epoch }
		c, _ := NewClient(&Config{ServerName: "warn.test", RootCAs: ca.Pool, Time: now, MaxVersion: tc.version})
		s, _ := NewServer(&Config{Certificates: []tls.Certificate{leaf}})
		shake(t, c, s)
		for range tc.warnings {
			c.writeAlert(alertLevelWarning, record.AlertUnrecognizedName)
		}
		c.Cleartext().Write([]byte("data"))
		buf := make([]byte, 64<<10)
		n, _ := c.Encrypted().Read(buf)
		_, err := s.Encrypted().Write(buf[:n])
		got := make([]byte, 8)
		m, _ := s.Cleartext().Read(got)
		if survives := err == nil && string(got[:m]) == "data"; survives != tc.survives {
			t.Errorf("TLS %#04x, %d warnings: survives %v (%v), want %v", tc.version, tc.warnings, survives, err, tc.survives)
		}
	}
}

// A record of another type between the fragments of one handshake message is
// unexpected_message (RFC 8446 section 5.1): here application data, and an
// alert, inside a KeyUpdate split across two records.
func TestInterleavedHandshakeFragments(t *testing.T) {
	ca, err := certgen.NewCA("fragments CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf(certgen.ECDSAP256, []string{"frag.test"}, certgen.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, between := range []struct {
		typ  record.ContentType
		data []byte
	}{{record.TypeApplicationData, []byte("x")}, {record.TypeAlert, []byte{1, byte(record.AlertUserCanceled)}}} {
		now := func() time.Time { return certgen.Epoch }
		c, _ := NewClient(&Config{ServerName: "frag.test", RootCAs: ca.Pool, Time: now})
		s, _ := NewServer(&Config{Certificates: []tls.Certificate{leaf}})
		shake(t, c, s)
		keyUpdate := []byte{24, 0, 0, 1, 0}
		for _, r := range []struct {
			typ  record.ContentType
			data []byte
		}{{record.TypeHandshake, keyUpdate[:2]}, between, {record.TypeHandshake, keyUpdate[2:]}} {
			if err := c.writeRecord(r.typ, r.data); err != nil {
				t.Fatal(err)
			}
		}
		buf := make([]byte, 4096)
		n, _ := c.Encrypted().Read(buf)
		_, err := s.Encrypted().Write(buf[:n])
		var ae *AlertError
		if !errors.As(err, &ae) || ae.Alert != record.AlertUnexpectedMessage {
			t.Errorf("%s between fragments: %v", between.typ, err)
		}
	}
}
