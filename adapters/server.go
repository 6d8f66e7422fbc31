package adapters

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"

	"github.com/securepair/securepair/engine"
)

// TLSServer is Node's tls.Server: it accepts connections, runs each handshake
// and hands every secure connection to OnSecureConnection (Node's
// 'secureConnection'), in its own goroutine. Shutdown stops it gracefully.
type TLSServer struct {
	Config *engine.Config
	// OnSecureConnection serves one connection; the server closes the
	// connection when it returns.
	OnSecureConnection func(*Conn)
	// OnHandshakeError, when set, hears about connections whose handshake failed.
	OnHandshakeError func(net.Conn, error)
	// HandshakeTimeout bounds each handshake; zero means 30 seconds.
	HandshakeTimeout time.Duration

	mu       sync.Mutex
	ln       net.Listener
	conns    map[*Conn]struct{}
	shutdown bool
	wg       sync.WaitGroup
}

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("adapters: server closed")

// ListenAndServe listens on addr (TCP) and serves.
func (s *TLSServer) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Serve accepts connections on ln until Shutdown or Close.
func (s *TLSServer) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.shutdown {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.ln = ln
	if s.conns == nil {
		s.conns = map[*Conn]struct{}{}
	}
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			down := s.shutdown
			s.mu.Unlock()
			if down {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		c, err := Server(nc, s.Config)
		if err != nil {
			nc.Close()
			return err
		}
		if !s.track(c) {
			c.Close()
			return ErrServerClosed
		}
		s.wg.Add(1)
		go s.serveConn(c)
	}
}

func (s *TLSServer) track(c *Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown {
		return false
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *TLSServer) serveConn(c *Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	timeout := s.HandshakeTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	err := c.Handshake(ctx)
	cancel()
	if err != nil {
		if s.OnHandshakeError != nil {
			s.OnHandshakeError(c, err)
		}
		return
	}
	if s.OnSecureConnection != nil {
		s.OnSecureConnection(c)
	}
}

// Shutdown stops accepting, sends close_notify to every open connection
// (their reads and the peers' reads then end cleanly), and waits for the
// handlers to return or ctx to end, when it closes what is left.
func (s *TLSServer) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown = true
	if s.ln != nil {
		s.ln.Close()
	}
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.CloseWrite()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.Close()
		<-done
		return ctx.Err()
	}
}

// Close stops the server and closes every connection at once.
func (s *TLSServer) Close() error {
	s.mu.Lock()
	s.shutdown = true
	if s.ln != nil {
		s.ln.Close()
	}
	for c := range s.conns {
		c.tr.Close()
	}
	s.mu.Unlock()
	return nil
}
