package engine_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
	"github.com/securepair/securepair/transport"
)

var (
	allSuites = []uint16{handshake.TLS_AES_128_GCM_SHA256, handshake.TLS_AES_256_GCM_SHA384, handshake.TLS_CHACHA20_POLY1305_SHA256}
	allGroups = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.X25519MLKEM768}
)

// goServer runs a crypto/tls server on one end of a pipe; it echoes what it
// reads until EOF, then reports its connection state.
func goServer(t *testing.T, cfg *tls.Config) (*transport.PipeConn, chan tlsResult) {
	a, b := transport.Pipe()
	done := make(chan tlsResult, 1)
	go func() {
		srv := tls.Server(b, cfg)
		err := srv.Handshake()
		if err == nil {
			_, err = io.Copy(srv, srv)
		}
		done <- tlsResult{srv.ConnectionState(), err}
		srv.Close()
	}()
	return a, done
}

// goClient runs a crypto/tls client that writes payload, reads the echo back
// and closes.
func goClient(t *testing.T, cfg *tls.Config, payload []byte) (*transport.PipeConn, chan tlsResult) {
	a, b := transport.Pipe()
	done := make(chan tlsResult, 1)
	go func() {
		cl := tls.Client(b, cfg)
		err := cl.Handshake()
		if err == nil {
			// Written before reading (the pipe buffers it all): a Write still
			// in flight would make Close skip close_notify.
			if _, err = cl.Write(payload); err == nil {
				got := make([]byte, len(payload))
				if _, err = io.ReadFull(cl, got); err == nil && !bytes.Equal(got, payload) {
					err = errors.New("crypto/tls client: echo differs")
				}
			}
		}
		done <- tlsResult{cl.ConnectionState(), err}
		cl.Close()
	}()
	return a, done
}

type pipeConn = *transport.PipeConn

type tlsResult struct {
	st  tls.ConnectionState
	err error
}

// echoThrough writes payload through c and reads the same number of bytes
// back. The pipe buffers without bound, so writing all first cannot deadlock.
func echoThrough(c *adapters.Conn, payload []byte) error {
	if _, err := c.Write(payload); err != nil {
		return err
	}
	got := make([]byte, len(payload))
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	if !bytes.Equal(got, payload) {
		return errors.New("echo differs")
	}
	return nil
}

func TestInteropClientWithGoServer(t *testing.T) {
	_, l := fixtures(t)
	for _, suite := range allSuites {
		for _, group := range allGroups {
			for _, kt := range certgen.KeyTypes {
				name := fmt.Sprintf("%s/%s/%s", handshake.SuiteName(suite), handshake.GroupName(uint16(group)), kt)
				t.Run(name, func(t *testing.T) {
					nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{l[kt]}, CurvePreferences: []tls.CurveID{group}})
					cfg := clientConfig(t)
					cfg.CipherSuites = []uint16{suite}
					cfg.CurvePreferences = []tls.CurveID{group}
					e, c := dialOurs(t, cfg, nc)
					st := e.ConnectionState()
					if st.CipherSuite != suite || st.Group != group || !st.Authorized || st.Version != tls.VersionTLS13 {
						t.Fatalf("state %+v", st)
					}
					payload := []byte("hello over " + name)
					if err := echoThrough(c, payload); err != nil {
						t.Fatal(err)
					}
					if err := c.Close(); err != nil {
						t.Fatal(err)
					}
					res := <-done
					if res.err != nil {
						t.Fatalf("crypto/tls server: %v", res.err)
					}
					if res.st.CipherSuite != suite {
						t.Fatalf("crypto/tls server suite %#x", res.st.CipherSuite)
					}
				})
			}
		}
	}
}

// serveEcho runs our server engine over nc: handshake, then echo until the
// peer closes; it returns the events it saw. With keyUpdate it starts a
// KeyUpdate (update_requested) after echoing the first bytes.
func serveEcho(e *engine.Engine, nc pipeConn, keyUpdate bool) ([]engine.Event, error) {
	var events []engine.Event
	c := adapters.NewConn(nc, e)
	c.OnEvent = func(ev engine.Event) { events = append(events, ev) }
	if err := c.Handshake(context.Background()); err != nil {
		return events, err
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return events, werr
			}
			if keyUpdate {
				keyUpdate = false
				if kerr := c.KeyUpdate(true); kerr != nil {
					return events, kerr
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return events, c.Close()
		}
		if err != nil {
			return events, err
		}
	}
}

func TestInteropGoClientWithServer(t *testing.T) {
	ca, l := fixtures(t)
	for _, suite := range allSuites {
		for _, group := range allGroups {
			for _, kt := range certgen.KeyTypes {
				name := fmt.Sprintf("%s/%s/%s", handshake.SuiteName(suite), handshake.GroupName(uint16(group)), kt)
				t.Run(name, func(t *testing.T) {
					st, theirs := serveGoClient(t, &tls.Config{RootCAs: ca.Pool, ServerName: testHost,
						CurvePreferences: []tls.CurveID{group}, Time: fixedTime}, []byte("hello from crypto/tls over "+name),
						&engine.Config{Certificates: []tls.Certificate{l[kt]}, CipherSuites: []uint16{suite},
							CurvePreferences: []tls.CurveID{group}})
					if st.CipherSuite != suite || st.Group != group || theirs.CipherSuite != suite || st.ServerName != testHost {
						t.Fatalf("our state %+v, theirs suite %#x", st, theirs.CipherSuite)
					}
				})
			}
		}
	}
}

// dialOurs runs our client over nc to a completed handshake.
func dialOurs(t *testing.T, cfg *engine.Config, nc pipeConn) (*engine.Engine, *adapters.Conn) {
	t.Helper()
	e, err := engine.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := adapters.NewConn(nc, e)
	if err := c.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e, c
}

// serveGoClient runs a crypto/tls client (goCfg, writing payload and reading
// its echo) against our echo server (cfg) and returns both sides' states.
func serveGoClient(t *testing.T, goCfg *tls.Config, payload []byte, cfg *engine.Config) (engine.ConnectionState, tls.ConnectionState) {
	t.Helper()
	nc, done := goClient(t, goCfg, payload)
	e, err := engine.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := serveEcho(e, nc, false); err != nil {
		t.Fatalf("our server: %v", err)
	}
	res := <-done
	if res.err != nil {
		t.Fatalf("crypto/tls client: %v", res.err)
	}
	return e.ConnectionState(), res.st
}
