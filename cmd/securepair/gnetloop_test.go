package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `server -loop gnet` serves the echo server on gnet's event loops: a
// crypto/tls client verifying the server against the CA from `certs` is
// welcomed and echoed, the server reports the connection as the net loop
// does, and it stops when its context ends.
func TestServerOnGnet(t *testing.T) {
	dir, addr, stdout, stop := startCommandServer(t, "-loop", "gnet")

	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	for _, want := range []string{"welcome!\n", "over the loop\n"} {
		line, err := r.ReadString('\n')
		if err != nil || line != want {
			t.Fatalf("read %q, %v; want %q", line, err, want)
		}
		if want == "welcome!\n" {
			if _, err := c.Write([]byte("over the loop\n")); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.Close()
	if !strings.Contains(stdout.String(), "server connected") || !strings.Contains(stdout.String(), "ja4: t13d") {
		t.Errorf("server output:\n%s", stdout.String())
	}

	stop()
}
