package interop

import (
	"regexp"
	"strings"
	"testing"
)

// `securepair server` prints the JA4 of each connecting client; `securepair
// client -print-ja4` prints its own: for our Chrome-shaped client both are
// the same.
func TestCommandPrintsJA4(t *testing.T) {
	srv, addr := startServer(t)
	out, err := ourClient(t, "hi\n", "-connect", addr, "-servername", "localhost", "-ca", certFile("ca.pem"),
		"-hello", "chrome", "-print-ja4")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	ja4 := regexp.MustCompile(`(?m)^ja4: (t13d\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12})$`)
	m := ja4.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("client printed no JA4:\n%s", out)
	}
	srv.waitFor(t, "ja4: "+m[1])
	if strings.Count(srv.Output(), "ja4: ") != 1 {
		t.Fatalf("server output:\n%s", srv.Output())
	}
}
