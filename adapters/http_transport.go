package adapters

//lint:file-ignore SA1019 x/net/http2 is deprecated in favour of net/http, but Go 1.26's net/http speaks HTTP/2 only over a *tls.Conn; x/net's server and transport take any net.Conn

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"

	"golang.org/x/net/http/httpproxy"
	"golang.org/x/net/http2"

	"github.com/securepair/securepair/engine"
)

// HTTPTransport is an http.RoundTripper whose TLS is securepair's, with
// any hello shape in Config: it speaks HTTP/2 to servers that choose "h2"
// by ALPN and HTTP/1.1 to the others, reuses connections, tunnels through
// proxies with CONNECT, and stops a request when its context ends. Make it
// with NewHTTPTransport.
type HTTPTransport struct {
	// Proxy picks the proxy for a request (nil, or a nil URL: none).
	// NewHTTPTransport sets the environment's (HTTPS_PROXY, HTTP_PROXY,
	// NO_PROXY, read when it is called, as http.ProxyFromEnvironment reads
	// them; loopback hosts never go through a proxy). Proxies are http://
	// URLs.
	Proxy func(*http.Request) (*url.URL, error)
	// DialContext opens the TCP connections; NewHTTPTransport sets a
	// net.Dialer's.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	cfg   *engine.Config
	plain *http.Transport  // http:// URLs, through the proxy as net/http does it
	h1    *http.Transport  // HTTP/1.1 over our TLS (its proxy is in our dial)
	h2    *http2.Transport // HTTP/2 over our TLS
	mu    sync.Mutex
	alpn  map[string]string  // what each host:port negotiated last
	spare map[string][]*Conn // dialed to learn the protocol, not yet used
}

// NewHTTPTransport makes a transport whose connections use cfg (its
// ServerName is taken from each URL; NextProtos default to "h2" then
// "http/1.1" unless a hello shape sets its own).
func NewHTTPTransport(cfg *engine.Config) *HTTPTransport {
	c := *cfg
	if len(c.NextProtos) == 0 {
		c.NextProtos = []string{http2.NextProtoTLS, "http/1.1"}
	}
	var d net.Dialer
	fromEnv := httpproxy.FromEnvironment().ProxyFunc()
	t := &HTTPTransport{
		Proxy:       func(r *http.Request) (*url.URL, error) { return fromEnv(r.URL) },
		DialContext: d.DialContext,
		cfg:         &c,
		alpn:        map[string]string{},
		spare:       map[string][]*Conn{},
	}
	t.plain = &http.Transport{
		Proxy:       t.proxyFor,
		DialContext: func(ctx context.Context, n, a string) (net.Conn, error) { return t.DialContext(ctx, n, a) },
	}
	// No Proxy here: net/http would CONNECT and then run crypto/tls in
	// the tunnel. Our dial does the CONNECT and runs our TLS.
	t.h1 = &http.Transport{
		DialTLSContext: func(ctx context.Context, _, addr string) (net.Conn, error) { return t.conn(ctx, addr, "http/1.1") },
	}
	t.h2 = &http2.Transport{
		DialTLSContext: func(ctx context.Context, _, addr string, _ *tls.Config) (net.Conn, error) {
			return t.conn(ctx, addr, http2.NextProtoTLS)
		},
	}
	return t
}

// RoundTrip sends req over a connection to its host: HTTP/2 when the host
// chose "h2" the last time, HTTP/1.1 otherwise; a host not met before is
// dialed first to learn which.
func (t *HTTPTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" {
		return t.plain.RoundTrip(req)
	}
	addr := hostPort(req.URL)
	proto, known := t.negotiated(addr)
	if !known {
		c, err := t.dialTLS(req.Context(), addr)
		if err != nil {
			return nil, err
		}
		proto = t.keepSpare(addr, c)
	}
	if proto == http2.NextProtoTLS {
		return t.h2.RoundTrip(req)
	}
	return t.roundTripH1(req)
}

// roundTripH1 sends req over HTTP/1.1 and sets the response's TLS, which
// net/http fills only from a *tls.Conn: the trace names the connection used.
func (t *HTTPTransport) roundTripH1(req *http.Request) (*http.Response, error) {
	var used *Conn
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { used, _ = info.Conn.(*Conn) }}
	resp, err := t.h1.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err == nil && resp.TLS == nil && used != nil {
		st := used.ConnectionState()
		resp.TLS = &st
	}
	return resp, err
}

// CloseIdleConnections closes the connections no request is using.
func (t *HTTPTransport) CloseIdleConnections() {
	t.plain.CloseIdleConnections()
	t.h1.CloseIdleConnections()
	t.h2.CloseIdleConnections()
	t.mu.Lock()
	spare := t.spare
	t.spare = map[string][]*Conn{}
	t.mu.Unlock()
	for _, conns := range spare {
		for _, c := range conns {
			c.Close()
		}
	}
}

// proxyFor is Proxy's answer for r, none when Proxy is nil.
func (t *HTTPTransport) proxyFor(r *http.Request) (*url.URL, error) {
	if t.Proxy == nil {
		return nil, nil
	}
	return t.Proxy(r)
}

func (t *HTTPTransport) negotiated(addr string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.alpn[addr]
	return p, ok
}

// keepSpare records what c negotiated and keeps it for the transport of
// that protocol to take.
func (t *HTTPTransport) keepSpare(addr string, c *Conn) string {
	proto := c.ConnectionState().NegotiatedProtocol
	if proto != http2.NextProtoTLS {
		proto = "http/1.1"
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.alpn[addr] = proto
	t.spare[addr+" "+proto] = append(t.spare[addr+" "+proto], c)
	return proto
}

// conn is the TLS dial of both transports: a spare connection to addr
// that negotiated proto if there is one, else a new one.
func (t *HTTPTransport) conn(ctx context.Context, addr, proto string) (net.Conn, error) {
	t.mu.Lock()
	key := addr + " " + proto
	if conns := t.spare[key]; len(conns) > 0 {
		c := conns[len(conns)-1]
		t.spare[key] = conns[:len(conns)-1]
		t.mu.Unlock()
		return c, nil
	}
	t.mu.Unlock()
	return t.dialTLS(ctx, addr)
}

// dialTLS opens a TCP connection to addr (through the proxy, if any) and
// runs our TLS client handshake on it.
func (t *HTTPTransport) dialTLS(ctx context.Context, addr string) (*Conn, error) {
	nc, err := t.dialTunnel(ctx, addr)
	if err != nil {
		return nil, err
	}
	cfg := *t.cfg
	if cfg.ServerName == "" {
		cfg.ServerName, _, _ = net.SplitHostPort(addr)
	}
	c, err := Client(nc, &cfg)
	if err == nil {
		err = c.Handshake(ctx)
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

// hostPort is u's host with the scheme's default port when it has none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "443"
	if u.Scheme == "http" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}
