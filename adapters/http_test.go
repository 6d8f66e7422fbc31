package adapters_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// startHTTPServer serves h with our HTTPServer on 127.0.0.1 until the test
// ends.
func startHTTPServer(t *testing.T, cfg *engine.Config, h http.Handler) (*adapters.HTTPServer, string) {
	t.Helper()
	srv, err := adapters.NewHTTPServer(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, "https://" + ln.Addr().String()
}

// tlsSeen is the handler's view of Request.TLS, reported in the body.
func tlsSeen(w http.ResponseWriter, r *http.Request) {
	if r.TLS == nil {
		http.Error(w, "no r.TLS", http.StatusInternalServerError)
		return
	}
	peer, ja4 := "none", "none"
	if len(r.TLS.PeerCertificates) > 0 {
		peer = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	if c := adapters.RequestConn(r); c != nil {
		ja4 = c.EngineState().Fingerprint.JA4[:4] // "t13d": TLS 1.3 over TCP, with SNI
	}
	fmt.Fprintf(w, "%s %s alpn=%s sni=%s complete=%v peer=%s ja4=%s", r.Proto, engine.SuiteName(r.TLS.CipherSuite),
		r.TLS.NegotiatedProtocol, r.TLS.ServerName, r.TLS.HandshakeComplete, peer, ja4)
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %v %s", resp.Status, err, body)
	}
	return string(body)
}

// Go's net/http client (crypto/tls) against our HTTPServer: HTTP/2 when it
// offers h2, HTTP/1.1 when it offers only http/1.1, and the handler sees
// Request.TLS in both, with the client's certificate when one is sent, and
// the connection (its JA4) through RequestConn.
func TestHTTPServerServesH2AndHTTP1(t *testing.T) {
	_, serverCfg := configs(t)
	clientLeaf, err := fixCA.Leaf(certgen.ECDSAP256, []string{"http client"}, certgen.LeafOptions{Client: true})
	if err != nil {
		t.Fatal(err)
	}
	serverCfg.ClientAuth = tls.VerifyClientCertIfGiven
	serverCfg.ClientCAs = fixCA.Pool
	_, base := startHTTPServer(t, serverCfg, http.HandlerFunc(tlsSeen))
	tests := []struct {
		name       string
		h2         bool
		clientCert bool
		want       string
	}{
		{"h2", true, false, "HTTP/2.0 TLS_AES_128_GCM_SHA256 alpn=h2 sni=localhost complete=true peer=none ja4=t13d"},
		{"http/1.1", false, false, "HTTP/1.1 TLS_AES_128_GCM_SHA256 alpn=http/1.1 sni=localhost complete=true peer=none ja4=t13d"},
		{"h2 with client certificate", true, true, "HTTP/2.0 TLS_AES_128_GCM_SHA256 alpn=h2 sni=localhost complete=true peer=http client ja4=t13d"},
		{"http/1.1 with client certificate", false, true, "HTTP/1.1 TLS_AES_128_GCM_SHA256 alpn=http/1.1 sni=localhost complete=true peer=http client ja4=t13d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &tls.Config{RootCAs: fixCA.Pool, ServerName: "localhost", CipherSuites: nil}
			if tt.clientCert {
				cfg.Certificates = []tls.Certificate{clientLeaf}
			}
			tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: tt.h2}
			if !tt.h2 {
				cfg.NextProtos = []string{"http/1.1"}
			}
			defer tr.CloseIdleConnections()
			if got := get(t, &http.Client{Transport: tr}, base+"/"); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// goHTTPServer is a crypto/tls server (httptest) counting its connections.
func goHTTPServer(t *testing.T, h2 bool) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Proto, r.TLS.ServerName)
	}))
	ts.EnableHTTP2 = h2
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, &conns
}

// ourTransport is an HTTPTransport trusting ts's certificate, with shape.
func ourTransport(ts *httptest.Server, shape *utls.ClientHelloID) *adapters.HTTPTransport {
	roots := ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	tr := adapters.NewHTTPTransport(&engine.Config{RootCAs: roots, ServerName: "example.com", ClientHelloID: shape})
	tr.Proxy = nil // not the environment's
	return tr
}

// Our RoundTripper against a crypto/tls server (httptest): with the default
// hello and Chrome and Firefox shapes, 100 requests go over one HTTP/2
// connection, or one reused HTTP/1.1 connection when the server has no h2,
// and responses carry Response.TLS either way.
func TestHTTPTransportAgainstGoServer(t *testing.T) {
	shapes := []struct {
		name string
		id   *utls.ClientHelloID
	}{{"default", nil}, {"chrome", &utls.HelloChrome_Auto}, {"firefox", &utls.HelloFirefox_Auto}}
	for _, h2 := range []bool{true, false} {
		for _, shape := range shapes {
			t.Run(fmt.Sprintf("%s/h2=%v", shape.name, h2), func(t *testing.T) {
				ts, conns := goHTTPServer(t, h2)
				tr := ourTransport(ts, shape.id)
				defer tr.CloseIdleConnections()
				want := "HTTP/1.1 example.com"
				if h2 {
					want = "HTTP/2.0 example.com"
				}
				client := &http.Client{Transport: tr}
				resp, err := client.Get(ts.URL + "/")
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body) // read to the end, or HTTP/1.1 cannot reuse the connection
				resp.Body.Close()
				alpn := map[bool]string{true: "h2", false: "http/1.1"}[h2]
				if resp.TLS == nil || resp.TLS.NegotiatedProtocol != alpn || resp.TLS.ServerName != "example.com" {
					t.Fatalf("Response.TLS: %+v, want ALPN %s", resp.TLS, alpn)
				}
				for i := range 99 {
					if got := get(t, client, ts.URL+"/"); got != want {
						t.Fatalf("request %d: %q, want %q", i, got, want)
					}
				}
				if n := conns.Load(); n != 1 {
					t.Fatalf("100 requests took %d connections, want 1", n)
				}
			})
		}
	}
}

// connectProxy is an HTTP proxy that serves CONNECT only, recording the
// targets.
type connectProxy struct {
	mu      sync.Mutex
	targets []string
}

func (p *connectProxy) serve(t *testing.T) *url.URL {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.tunnel(c)
		}
	}()
	return &url.URL{Scheme: "http", Host: ln.Addr().String()}
}

func (p *connectProxy) tunnel(c net.Conn) {
	defer c.Close()
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil || req.Method != http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.targets = append(p.targets, req.Host)
	p.mu.Unlock()
	// example.com is the test servers' name, served on this machine.
	up, err := net.Dial("tcp", strings.Replace(req.Host, "example.com", "127.0.0.1", 1))
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
		return
	}
	defer up.Close()
	io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n")
	go io.Copy(up, c)
	io.Copy(c, up)
}

// Through a proxy, the transport opens a CONNECT tunnel and runs our TLS
// in it, for HTTP/2 and HTTP/1.1 servers alike.
func TestHTTPTransportThroughConnectProxy(t *testing.T) {
	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("h2=%v", h2), func(t *testing.T) {
			ts, _ := goHTTPServer(t, h2)
			var proxy connectProxy
			tr := ourTransport(ts, nil)
			tr.Proxy = http.ProxyURL(proxy.serve(t))
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr}
			for range 3 {
				if got := get(t, client, ts.URL+"/"); !strings.HasSuffix(got, " example.com") {
					t.Fatalf("through the proxy: %q", got)
				}
			}
			target := strings.TrimPrefix(ts.URL, "https://")
			proxy.mu.Lock()
			defer proxy.mu.Unlock()
			if len(proxy.targets) != 1 || proxy.targets[0] != target {
				t.Fatalf("the proxy saw CONNECTs to %v, want one to %s", proxy.targets, target)
			}
		})
	}
}

// With HTTPS_PROXY set, the transport goes through that proxy: the
// environment is read when the transport is made. (Loopback names never
// use a proxy, so the request names example.com, which the proxy maps to
// this machine.)
func TestHTTPTransportProxyFromEnvironment(t *testing.T) {
	ts, _ := goHTTPServer(t, true)
	var proxy connectProxy
	t.Setenv("HTTPS_PROXY", proxy.serve(t).String())
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	roots := ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	tr := adapters.NewHTTPTransport(&engine.Config{RootCAs: roots})
	defer tr.CloseIdleConnections()
	target := strings.Replace(strings.TrimPrefix(ts.URL, "https://"), "127.0.0.1", "example.com", 1)
	if got := get(t, &http.Client{Transport: tr}, "https://"+target+"/"); got != "HTTP/2.0 example.com" {
		t.Fatalf("through the environment's proxy: %q", got)
	}
	proxy.mu.Lock()
	defer proxy.mu.Unlock()
	if len(proxy.targets) != 1 || proxy.targets[0] != target {
		t.Fatalf("the proxy saw CONNECTs to %v, want one to %s", proxy.targets, target)
	}
}

// A request's context ending stops it: while the server holds the response,
// and while the TLS handshake waits for a server that never answers.
func TestHTTPTransportContextCancellation(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	ts.EnableHTTP2 = true
	ts.StartTLS()
	defer ts.Close()

	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never answered
		}
	}()

	for _, tt := range []struct{ name, url string }{
		{"waiting for the response", ts.URL + "/"},
		{"in the handshake", "https://" + silent.Addr().String() + "/"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr := ourTransport(ts, nil)
			defer tr.CloseIdleConnections()
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, tt.url, nil)
			start := time.Now()
			_, err := tr.RoundTrip(req)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("got %v, want context.DeadlineExceeded", err)
			}
			if waited := time.Since(start); waited > 5*time.Second {
				t.Fatalf("the request ended %v after its deadline", waited)
			}
		})
	}
}

// Shutdown with HTTP/2 streams in flight lets them finish: their responses
// arrive whole, and Shutdown returns once they have.
func TestHTTPServerGracefulShutdownH2(t *testing.T) {
	const streams = 3
	started := make(chan struct{}, streams)
	release := make(chan struct{})
	_, serverCfg := configs(t)
	srv, base := startHTTPServer(t, serverCfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-release
		io.WriteString(w, "finished "+r.URL.Path)
	}))
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fixCA.Pool, ServerName: "localhost"}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	type result struct {
		body, proto string
		err         error
	}
	results := make(chan result, streams)
	for i := range streams {
		go func() {
			resp, err := client.Get(fmt.Sprintf("%s/%d", base, i))
			if err != nil {
				results <- result{err: err}
				return
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			results <- result{string(body), resp.Proto, err}
		}()
	}
	for range streams {
		<-started
	}
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with streams in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	for range streams {
		r := <-results
		if r.err != nil || r.proto != "HTTP/2.0" || !strings.HasPrefix(r.body, "finished /") {
			t.Fatalf("stream: %q %s %v", r.body, r.proto, r.err)
		}
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if _, err := net.Dial("tcp", strings.TrimPrefix(base, "https://")); err == nil {
		t.Fatal("the server still accepts after Shutdown")
	}
}
