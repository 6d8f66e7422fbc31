package adapters

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/url"
)

// dialTunnel opens a TCP connection to addr: directly, or through the
// proxy Proxy names for https://addr, by an HTTP CONNECT.
func (t *HTTPTransport) dialTunnel(ctx context.Context, addr string) (net.Conn, error) {
	proxy, err := t.proxyFor(&http.Request{URL: &url.URL{Scheme: "https", Host: addr}, Header: http.Header{}})
	if err != nil {
		return nil, err
	}
	if proxy == nil {
		return t.DialContext(ctx, "tcp", addr)
	}
	if proxy.Scheme != "http" {
		return nil, fmt.Errorf("adapters: proxy %s: only http:// proxies are supported", proxy.Redacted())
	}
	nc, err := t.DialContext(ctx, "tcp", hostPort(proxy))
	if err != nil {
		return nil, err
	}
	if err := connect(ctx, nc, proxy, addr); err != nil {
		nc.Close()
		return nil, fmt.Errorf("adapters: CONNECT %s through %s: %w", addr, proxy.Redacted(), err)
	}
	return nc, nil
}

// connect asks the proxy on nc for a tunnel to addr and reads its answer;
// ctx ending closes nc, which ends the exchange.
func connect(ctx context.Context, nc net.Conn, proxy *url.URL, addr string) error {
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	req := &http.Request{Method: http.MethodConnect, URL: &url.URL{Opaque: addr}, Host: addr, Header: http.Header{}}
	if u := proxy.User; u != nil {
		pass, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass)))
	}
	if err := req.Write(nc); err != nil {
		return ctxOr(ctx, err)
	}
	// The proxy says nothing after its answer until our ClientHello, so
	// the reader holds no byte of the tunnel.
	br := bufio.NewReaderSize(nc, 1024)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return ctxOr(ctx, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("proxy answered %s", resp.Status)
	}
	if br.Buffered() > 0 {
		return fmt.Errorf("proxy sent %d bytes before the TLS handshake", br.Buffered())
	}
	return nil
}

// ctxOr is ctx's error when it ended (the cause of a closed connection),
// else err.
func ctxOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
