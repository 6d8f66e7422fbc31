package engine_test

import (
	"bytes"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/securepair/securepair/securepairtest/certgen"
)

// Our key log lines for a session are exactly those crypto/tls writes for
// the same session, in NSS key log format.
func TestKeyLogMatchesGo(t *testing.T) {
	_, l := fixtures(t)
	var ours, theirs bytes.Buffer
	nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}, KeyLogWriter: &theirs})
	cfg := clientConfig(t)
	cfg.KeyLogWriter = &ours
	_, c := dialOurs(t, cfg, nc)
	mustEcho(t, c, []byte("logged"))
	c.Close()
	if res := <-done; res.err != nil {
		t.Fatal(res.err)
	}
	lines := func(b *bytes.Buffer) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
			m[l] = true
		}
		return m
	}
	o, g := lines(&ours), lines(&theirs)
	if len(o) != 5 {
		t.Fatalf("want 5 key log lines, got %d:\n%s", len(o), ours.String())
	}
	for l := range g {
		if !o[l] {
			t.Fatalf("crypto/tls logged %q, we did not", l)
		}
	}
}

// Exported keying material (RFC 8446 section 7.5, RFC 5705 for TLS 1.2)
// matches crypto/tls's for the same connection.
func TestExportKeyingMaterialMatchesGo(t *testing.T) {
	_, l := fixtures(t)
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}})
		cfg := clientConfig(t)
		cfg.MaxVersion = version
		e, c := dialOurs(t, cfg, nc)
		ours, err := e.ExportKeyingMaterial("EXPORTER-securepair-test", []byte("context"), 40)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		res := <-done
		theirs, err := res.st.ExportKeyingMaterial("EXPORTER-securepair-test", []byte("context"), 40)
		if err != nil || !bytes.Equal(ours, theirs) || res.st.Version != version {
			t.Fatalf("version %#x: ours %x, crypto/tls %x (%v)", version, ours, theirs, err)
		}
	}
}
