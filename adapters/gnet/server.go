package gnettls

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/panjf2000/gnet/v2"

	"github.com/securepair/securepair/engine"
)

// Options bound what one connection may hold.
type Options struct {
	// MaxOutbound is how many bytes may wait in gnet's outbound buffer
	// (the peer not reading) before the connection stops taking input;
	// 0 means 256 KiB.
	MaxOutbound int
	// MaxInbound is how many received bytes may wait unprocessed (input
	// stopped by MaxOutbound while the peer keeps sending) before the
	// connection is closed; 0 means 1 MiB.
	MaxInbound int
	// StartPlaintext makes connections begin in plaintext, handed to the
	// Handler, which must be a PlaintextHandler, until it calls StartTLS.
	StartPlaintext bool
	// ResumeEvery is how often connections stopped by MaxOutbound are
	// looked at again; 0 means 10 ms.
	ResumeEvery time.Duration
}

func (o Options) maxOutbound() int { return orDefault(o.MaxOutbound, 256<<10) }
func (o Options) maxInbound() int  { return orDefault(o.MaxInbound, 1<<20) }

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// Server is a gnet.EventHandler that makes each accepted connection a TLS
// server connection. Run it with gnet.Run(server, "tcp://addr",
// gnet.WithTicker(true)) so that connections stopped by back-pressure
// resume.
type Server struct {
	gnet.BuiltinEventEngine
	cfg     *engine.Config
	h       Handler
	opts    Options
	mu      sync.Mutex // guards paused: loops and the ticker share it
	paused  map[*Conn]bool
	started chan struct{} // closed by OnBoot
	eng     gnet.Engine
	addr    net.Addr // the listener's address, set by OnBoot
}

// NewServer makes a Server; cfg is checked as engine.NewServer checks it.
func NewServer(cfg *engine.Config, h Handler, opts Options) (*Server, error) {
	if _, err := engine.NewServer(cfg); err != nil {
		return nil, err
	}
	if _, ok := h.(PlaintextHandler); opts.StartPlaintext && !ok {
		return nil, errors.New("gnettls: StartPlaintext needs a PlaintextHandler")
	}
	return &Server{cfg: cfg, h: h, opts: opts, paused: map[*Conn]bool{}, started: make(chan struct{})}, nil
}

// Started is closed once gnet is listening.
func (s *Server) Started() <-chan struct{} { return s.started }

// OnBoot reports that gnet is listening.
func (s *Server) OnBoot(eng gnet.Engine) gnet.Action {
	s.eng = eng
	s.addr = listenerAddr(eng)
	close(s.started)
	return gnet.None
}

// Addr is the address gnet listens on (after Started), with the port the
// system chose when the address asked for port 0; nil if it could not be
// read.
func (s *Server) Addr() net.Addr { return s.addr }

// listenerAddr reads the listener's bound address through a duplicate of
// its descriptor, as gnet does not report it.
func listenerAddr(eng gnet.Engine) net.Addr {
	fd, err := eng.Dup()
	if err != nil {
		return nil
	}
	f := os.NewFile(uintptr(fd), "gnet-listener")
	defer f.Close()
	ln, err := net.FileListener(f)
	if err != nil {
		return nil
	}
	defer ln.Close()
	return ln.Addr()
}

// Stop shuts gnet down (after Started); gnet.Run then returns.
func (s *Server) Stop(ctx context.Context) error { return s.eng.Stop(ctx) }

// OnOpen starts an engine for the connection.
func (s *Server) OnOpen(gc gnet.Conn) ([]byte, gnet.Action) {
	e, err := engine.NewServer(s.cfg)
	if err != nil {
		return nil, gnet.Close
	}
	c := &Conn{gc: gc, e: e, srv: s, plaintext: s.opts.StartPlaintext}
	gc.SetContext(c)
	if c.plaintext {
		s.h.(PlaintextHandler).OnOpenPlaintext(c)
	}
	return nil, gnet.None
}

// OnTraffic feeds the bytes gnet read to the connection's engine.
func (s *Server) OnTraffic(gc gnet.Conn) gnet.Action {
	c, ok := gc.Context().(*Conn)
	if !ok {
		return gnet.Close
	}
	return c.onTraffic()
}

// OnClose ends the connection for the Handler.
func (s *Server) OnClose(gc gnet.Conn, err error) gnet.Action {
	if c, ok := gc.Context().(*Conn); ok {
		s.resume(c)
		c.end(err)
	}
	return gnet.None
}

// OnTick wakes the connections back-pressure stopped, so that each looks
// again at its outbound buffer on its own loop.
func (s *Server) OnTick() (time.Duration, gnet.Action) {
	s.mu.Lock()
	waiting := make([]*Conn, 0, len(s.paused))
	for c := range s.paused {
		waiting = append(waiting, c)
	}
	clear(s.paused)
	s.mu.Unlock()
	for _, c := range waiting {
		_ = c.gc.Wake(nil) // a closed connection refuses; nothing to resume
	}
	if s.opts.ResumeEvery > 0 {
		return s.opts.ResumeEvery, gnet.None
	}
	return 10 * time.Millisecond, gnet.None
}

func (s *Server) pause(c *Conn) {
	s.mu.Lock()
	s.paused[c] = true
	s.mu.Unlock()
}

func (s *Server) resume(c *Conn) {
	s.mu.Lock()
	delete(s.paused, c)
	s.mu.Unlock()
}

// ListenAndServe runs a Server on addr ("host:port"), one event loop per
// CPU and the ticker on, until gnet stops; gnetOpts add to or override
// those options.
func ListenAndServe(addr string, cfg *engine.Config, h Handler, opts Options, gnetOpts ...gnet.Option) error {
	s, err := NewServer(cfg, h, opts)
	if err != nil {
		return err
	}
	return gnet.Run(s, "tcp://"+addr, append([]gnet.Option{gnet.WithTicker(true), gnet.WithMulticore(true)}, gnetOpts...)...)
}
