package adapters

import (
	"context"
	"net"

	"github.com/securepair/securepair/engine"
)

// Dial connects to addr and runs a TLS client handshake (Node's tls.connect).
// An empty cfg.ServerName is taken from addr's host.
func Dial(network, addr string, cfg *engine.Config) (*Conn, error) {
	return DialContext(context.Background(), network, addr, cfg)
}

// DialContext is Dial bounded by ctx, which covers the TCP connect and the
// handshake.
func DialContext(ctx context.Context, network, addr string, cfg *engine.Config) (*Conn, error) {
	if cfg.ServerName == "" {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		c := *cfg
		c.ServerName = host
		cfg = &c
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	conn, err := Client(nc, cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	if err := conn.Handshake(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return conn, nil
}

// listener wraps accepted connections in server Conns.
type listener struct {
	net.Listener
	cfg *engine.Config
}

// Listen listens on addr and returns a net.Listener whose Accept gives
// server *Conns; the handshake runs on their first Read, Write or Handshake.
func Listen(network, addr string, cfg *engine.Config) (net.Listener, error) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	return NewListener(ln, cfg), nil
}

// NewListener wraps an existing listener.
func NewListener(ln net.Listener, cfg *engine.Config) net.Listener {
	return &listener{Listener: ln, cfg: cfg}
}

// Accept waits for a connection and wraps it.
func (l *listener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	c, err := Server(nc, l.cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}
