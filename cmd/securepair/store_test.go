package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/securepair/securepair/store/redis/redistest"
)

// Two `securepair server -store redis://...` processes' worth of servers
// share one Redis: a crypto/tls client that met the first resumes on the
// second.
func TestServersShareRedis(t *testing.T) {
	redis := redistest.Start(t)
	dir, first, _, stop1 := startCommandServer(t, "-store", redis.URL())
	defer stop1()
	// The second server, with the first's certificates.
	_, second, _, stop2 := startCommandServer(t, "-store", redis.URL(),
		"-cert", filepath.Join(dir, "server.pem"), "-key", filepath.Join(dir, "server-key.pem"))
	defer stop2()
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	cfg := &tls.Config{RootCAs: roots, ServerName: "localhost", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	for i, addr := range []string{first, second} {
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		// The welcome line brings the TLS 1.3 ticket with it.
		if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "welcome!\n" {
			t.Fatalf("server %d: %q, %v", i+1, line, err)
		}
		if resumed := c.ConnectionState().DidResume; resumed != (i == 1) {
			t.Fatalf("server %d: resumed %v", i+1, resumed)
		}
		c.Close()
	}
}
