package main

import (
	"bytes"
	"strings"
	"testing"
)

// The demo needs no files or flags, and reports both sides authorized, the
// negotiated parameters and the echo, for plain TLS and for STARTTLS.
func TestDemo(t *testing.T) {
	var out bytes.Buffer
	if err := runDemo(&out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{"== TLS", "== STARTTLS (smtp)", "version: TLS 1.3", "alpn: echo/1", "servername: localhost"} {
		if !strings.Contains(text, want) {
			t.Fatalf("demo output lacks %q:\n%s", want, text)
		}
	}
	for _, want := range []string{"client connected authorized", "server connected authorized", "echo: hello, securepair"} {
		if strings.Count(text, want) != 2 {
			t.Fatalf("demo output should show %q twice:\n%s", want, text)
		}
	}
}

// Bad options say what to do.
func TestOptionErrors(t *testing.T) {
	var stderr bytes.Buffer
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"client without -connect", func() error { return runClient(nil, nil, &stderr, &stderr) }, "-connect HOST:PORT is required"},
		{"unknown hello", func() error {
			return runClient([]string{"-connect", "127.0.0.1:1", "-hello", "netscape"}, nil, &stderr, &stderr)
		}, "unknown shape"},
		{"bad version", func() error { return runServer([]string{"-min-version", "1.1"}, &stderr, &stderr) }, "use 1.2 or 1.3"},
		{"unknown loop", func() error { return runServer([]string{"-loop", "evio"}, &stderr, &stderr) }, "use net or gnet"},
		{"gnet with http", func() error {
			return runServer([]string{"-loop", "gnet", "-mode", "http"}, &stderr, &stderr)
		}, "-mode http: serves on -loop net"},
		{"gnet with starttls", func() error {
			return runServer([]string{"-loop", "gnet", "-starttls", "smtp"}, &stderr, &stderr)
		}, "-loop gnet: serves without -starttls"},
		{"get with connect", func() error {
			return runClient([]string{"-get", "https://localhost/", "-connect", "localhost:443"}, nil, &stderr, &stderr)
		}, "-get and -connect"},
		{"bad store", func() error { return runServer([]string{"-store", "mysql://x"}, &stderr, &stderr) }, "-store:"},
		{"certs without -out", func() error { return runCerts(nil, &stderr, &stderr) }, "-out DIR is required"},
	}
	for _, tt := range tests {
		if err := tt.run(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}

// -hello list prints every shape, and any listed name resolves: the
// shorthands and every uTLS ClientHelloID name.
func TestHelloNames(t *testing.T) {
	var out bytes.Buffer
	if err := runClient([]string{"-hello", "list"}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	names := strings.Fields(out.String())
	if len(names) < 50 || !strings.Contains(out.String(), "HelloChrome_133\n") || !strings.Contains(out.String(), "chrome\n") {
		t.Fatalf("-hello list:\n%s", out.String())
	}
	for _, name := range names {
		id, err := helloID(name)
		if err != nil || (id == nil) != (name == "default") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
