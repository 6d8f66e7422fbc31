package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"slices"
	"strings"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// serveHTTP is `server -mode http`: HTTP/2 and HTTP/1.1 through
// adapters.HTTPServer, every request answered with a page of what was
// negotiated, until ctx ends.
func serveHTTP(ctx context.Context, listen string, cfg *engine.Config, stdout, stderr io.Writer) error {
	srv, err := adapters.NewHTTPServer(cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		facts := negotiated(r)
		fmt.Fprintf(stdout, "http: %s %s %s ja4=%s\n", r.Method, r.URL.Path, r.Proto, facts[len(facts)-1][1])
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>securepair</title><h1>hello from securepair</h1><table>\n")
		for _, f := range facts {
			fmt.Fprintf(w, "<tr><th>%s</th><td>%s</td></tr>\n", f[0], html.EscapeString(f[1]))
		}
		fmt.Fprint(w, "</table>\n")
	}))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "server bound")
	fmt.Fprintf(stderr, "listening on %s\n", ln.Addr())
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// negotiated is what the page shows: the protocol, Request.TLS, and the
// client's JA4 from the connection; the JA4 comes last.
func negotiated(r *http.Request) [][2]string {
	st := r.TLS
	peer := "none"
	if len(st.PeerCertificates) > 0 {
		peer = st.PeerCertificates[0].Subject.String()
	}
	ja4 := "unknown"
	if c := adapters.RequestConn(r); c != nil {
		ja4 = c.EngineState().Fingerprint.JA4
	}
	return [][2]string{
		{"protocol", r.Proto},
		{"tls version", versionName(st.Version)},
		{"cipher", engine.SuiteName(st.CipherSuite)},
		{"group", engine.GroupName(uint16(st.CurveID))},
		{"alpn", orNone(st.NegotiatedProtocol)},
		{"server name", orNone(st.ServerName)},
		{"resumed", yesNo(st.DidResume)},
		{"client certificate", peer},
		{"ja4", ja4},
	}
}

// runGet is `client -get URL`: like curl -v, the TLS summary and the
// response's status line and headers on stderr, its body on stdout.
func runGet(ctx context.Context, rawURL string, cfg *engine.Config, stdout, stderr io.Writer) error {
	tr := adapters.NewHTTPTransport(cfg)
	defer tr.CloseIdleConnections()
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if c, ok := info.Conn.(*adapters.Conn); ok && !info.Reused {
			report(stderr, c.EngineState())
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	fmt.Fprintf(stderr, "< %s %s\n", resp.Proto, resp.Status)
	for _, k := range sortedKeys(resp.Header) {
		fmt.Fprintf(stderr, "< %s: %s\n", k, strings.Join(resp.Header[k], ", "))
	}
	if resp.TLS != nil {
		fmt.Fprintf(stderr, "* %s, %s, ALPN %s\n", tls.VersionName(resp.TLS.Version), engine.SuiteName(resp.TLS.CipherSuite), orNone(resp.TLS.NegotiatedProtocol))
	}
	_, err = io.Copy(stdout, resp.Body)
	return err
}

func sortedKeys(h http.Header) []string { return slices.Sorted(maps.Keys(h)) }
