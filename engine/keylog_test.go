package engine_test

import (
	"bytes"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/internal/certgen"
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

// Exported keying material (RFC 8446 section 7.5) matches crypto/tls's for
// the same connection.
func TestExportKeyingMaterialMatchesGo(t *testing.T) {
	_, l := fixtures(t)
	nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[certgen.ECDSAP256]}})
	e, err := engine.NewClient(clientConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	c := enginetest.NewConn(e, nc)
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	ours, err := e.ExportKeyingMaterial("EXPORTER-securepair-test", []byte("context"), 40)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	res := <-done
	theirs, err := res.st.ExportKeyingMaterial("EXPORTER-securepair-test", []byte("context"), 40)
	if err != nil || !bytes.Equal(ours, theirs) {
		t.Fatalf("ours %x, crypto/tls %x (%v)", ours, theirs, err)
	}
}
