package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// `server -mode http` serves HTTP/2 and HTTP/1.1; `client -get` fetches
// from it with a browser shape: the page shows the protocol, the TLS
// parameters and the client's JA4, and the client reports the status line,
// the protocol and the handshake like curl -v.
func TestHTTPModeAndGet(t *testing.T) {
	dir, addr, stdout, stop := startCommandServer(t, "-mode", "http")
	url := "https://localhost:" + addr[strings.LastIndexByte(addr, ':')+1:] + "/page"

	tests := []struct {
		name             string
		args             []string
		alpn, proto, ja4 string
	}{
		{"chrome", []string{"-hello", "chrome"}, "h2", "HTTP/2.0", "t13d"},
		{"firefox", []string{"-hello", "firefox"}, "h2", "HTTP/2.0", "t13d"},
		{"default", nil, "h2", "HTTP/2.0", "t13d"},
		{"http/1.1 only", []string{"-alpn", "http/1.1"}, "http/1.1", "HTTP/1.1", "t13d"},
		{"TLS 1.2", []string{"-max-version", "1.2"}, "h2", "HTTP/2.0", "t12d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body, report bytes.Buffer
			args := append([]string{"-get", url, "-ca", filepath.Join(dir, "ca.pem")}, tt.args...)
			if err := runClient(args, nil, &body, &report); err != nil {
				t.Fatalf("%v\n%s", err, report.String())
			}
			for _, want := range []string{"client connected authorized", "alpn: " + tt.alpn, "< " + tt.proto + " 200 OK", "< Content-Type: text/html"} {
				if !strings.Contains(report.String(), want) {
					t.Fatalf("client report lacks %q:\n%s", want, report.String())
				}
			}
			for _, want := range []string{"<th>protocol</th><td>" + tt.proto + "</td>", "<th>alpn</th><td>" + tt.alpn + "</td>", "<th>server name</th><td>localhost</td>", "<th>ja4</th><td>" + tt.ja4} {
				if !strings.Contains(body.String(), want) {
					t.Fatalf("page lacks %q:\n%s", want, body.String())
				}
			}
		})
	}
	if !strings.Contains(stdout.String(), "http: GET /page HTTP/2.0 ja4=t13d") {
		t.Errorf("server log:\n%s", stdout.String())
	}
	stop()
}
