package adapters

//lint:file-ignore SA1019 x/net/http2 is deprecated in favour of net/http, but Go 1.26's net/http speaks HTTP/2 only over a *tls.Conn; x/net's server and transport take any net.Conn

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/net/http2"

	"github.com/securepair/securepair/engine"
)

// HTTPServer serves an http.Handler over securepair: HTTP/2 on connections
// that negotiated "h2" by ALPN, HTTP/1.1 on the others. Handlers see
// Request.TLS in both. Its zero value is not usable; make it with
// NewHTTPServer.
type HTTPServer struct {
	// HTTP serves HTTP/1.1 and is HTTP/2's base configuration: set its
	// timeouts, ErrorLog, ConnContext and so on before Serve.
	HTTP *http.Server
	// HandshakeTimeout bounds each TLS handshake; zero means 10 seconds.
	HandshakeTimeout time.Duration

	cfg   *engine.Config
	h2    *http2.Server
	h1    *connQueue // handshaken HTTP/1.1 connections for HTTP.Serve
	mu    sync.Mutex
	ln    net.Listener
	down  bool
	h2s   map[*Conn]struct{} // HTTP/2 connections, which the http.Server does not track
	conns sync.WaitGroup     // handshakes and HTTP/2 connections being served
}

// NewHTTPServer makes a server of h with cfg, whose NextProtos default to
// "h2" then "http/1.1" (cfg itself is not changed).
func NewHTTPServer(cfg *engine.Config, h http.Handler) (*HTTPServer, error) {
	c := *cfg
	if len(c.NextProtos) == 0 {
		c.NextProtos = []string{http2.NextProtoTLS, "http/1.1"}
	}
	if _, err := engine.NewServer(&c); err != nil {
		return nil, err
	}
	s := &HTTPServer{HTTP: &http.Server{Handler: h}, cfg: &c, h2: &http2.Server{}, h1: newConnQueue(), h2s: map[*Conn]struct{}{}}
	// Shutdown of the http.Server then also sends GOAWAY on HTTP/2
	// connections and lets their open streams finish.
	if err := http2.ConfigureServer(s.HTTP, s.h2); err != nil {
		return nil, err
	}
	return s, nil
}

// ListenAndServe listens on addr (TCP) and serves.
func (s *HTTPServer) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts TCP connections on ln until Shutdown or Close, when it
// returns http.ErrServerClosed.
func (s *HTTPServer) Serve(ln net.Listener) error {
	if !s.start(ln) {
		ln.Close()
		return http.ErrServerClosed
	}
	s.HTTP.ConnContext = withConn(s.HTTP.ConnContext)
	h1done := make(chan error, 1)
	go func() { h1done <- s.HTTP.Serve(s.h1) }()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.isDown() {
				<-h1done
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.h1.Close()
			<-h1done
			return err
		}
		s.conns.Add(1)
		go s.serveConn(nc)
	}
}

func (s *HTTPServer) start(ln net.Listener) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln = ln
	return !s.down
}

func (s *HTTPServer) isDown() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.down
}

// serveConn runs the handshake, then serves HTTP/2 itself or queues the
// connection for the HTTP/1.1 server.
func (s *HTTPServer) serveConn(nc net.Conn) {
	defer s.conns.Done()
	c, err := Server(nc, s.cfg)
	if err != nil {
		nc.Close()
		return
	}
	timeout := s.HandshakeTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	err = c.Handshake(ctx)
	cancel()
	if err != nil {
		s.logf("http: TLS handshake error from %s: %v", nc.RemoteAddr(), err)
		nc.Close()
		return
	}
	if c.ConnectionState().NegotiatedProtocol != http2.NextProtoTLS {
		if !s.h1.put(c) {
			c.Close()
		}
		return
	}
	if !s.trackH2(c, true) {
		c.Close()
		return
	}
	defer s.trackH2(c, false)
	ctx = s.HTTP.ConnContext(context.Background(), c)
	s.h2.ServeConn(c, &http2.ServeConnOpts{Context: ctx, BaseConfig: s.HTTP, Handler: s.HTTP.Handler})
}

// connKey is the request context key of the *Conn a request came on.
type connKey struct{}

// withConn is a ConnContext that records the connection for RequestConn,
// then runs next (the user's ConnContext, if any). HTTP/2 connections get
// it too, which x/net's ServeConn alone would not call.
func withConn(next func(context.Context, net.Conn) context.Context) func(context.Context, net.Conn) context.Context {
	return func(ctx context.Context, c net.Conn) context.Context {
		ctx = context.WithValue(ctx, connKey{}, c)
		if next != nil {
			ctx = next(ctx, c)
		}
		return ctx
	}
}

// RequestConn is the connection an HTTPServer received r on, for what
// Request.TLS does not carry (EngineState: the client's JA4, NPN, Node's
// authorized); nil for requests from elsewhere.
func RequestConn(r *http.Request) *Conn {
	c, _ := r.Context().Value(connKey{}).(*Conn)
	return c
}

// trackH2 adds or removes an HTTP/2 connection; adding fails once the
// server is down.
func (s *HTTPServer) trackH2(c *Conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !add {
		delete(s.h2s, c)
		return true
	}
	if s.down {
		return false
	}
	s.h2s[c] = struct{}{}
	return true
}

func (s *HTTPServer) logf(format string, args ...any) {
	if s.HTTP.ErrorLog != nil {
		s.HTTP.ErrorLog.Printf(format, args...)
	}
}

// Shutdown stops accepting, lets requests in flight finish (HTTP/1.1
// requests, and HTTP/2 streams after a GOAWAY), and returns when every
// connection is done or ctx ends.
func (s *HTTPServer) Shutdown(ctx context.Context) error {
	s.stopAccepting()
	err := s.HTTP.Shutdown(ctx)
	done := make(chan struct{})
	go func() { s.conns.Wait(); close(done) }()
	select {
	case <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the listener and every connection at once.
func (s *HTTPServer) Close() error {
	s.stopAccepting()
	s.mu.Lock()
	for c := range s.h2s {
		c.tr.Close()
	}
	s.mu.Unlock()
	return s.HTTP.Close()
}

func (s *HTTPServer) stopAccepting() {
	s.mu.Lock()
	s.down = true
	if s.ln != nil {
		s.ln.Close()
	}
	s.mu.Unlock()
	s.h1.Close()
}
