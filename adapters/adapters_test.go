package adapters_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
	"github.com/securepair/securepair/transport"
)

const host = "adapters.test"

var (
	fixOnce sync.Once
	fixCA   *certgen.CA
	fixLeaf tls.Certificate
)

func configs(t testing.TB) (client, server *engine.Config) {
	fixOnce.Do(func() {
		var err error
		if fixCA, err = certgen.NewCA("adapters CA"); err != nil {
			panic(err)
		}
		if fixLeaf, err = fixCA.Leaf(certgen.ECDSAP256, []string{host, "localhost"}, certgen.LeafOptions{}); err != nil {
			panic(err)
		}
	})
	now := func() time.Time { return certgen.Epoch }
	return &engine.Config{RootCAs: fixCA.Pool, ServerName: host, Time: now, CurvePreferences: []tls.CurveID{tls.X25519}},
		&engine.Config{Certificates: []tls.Certificate{fixLeaf}, CurvePreferences: []tls.CurveID{tls.X25519}}
}

func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i) ^ seed
	}
	return b
}

// exchange writes out on c while reading len(want) bytes in another
// goroutine: one Read and one Write at the same time.
func exchange(c *adapters.Conn, out, want []byte) error {
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(out)
		errc <- err
	}()
	got := make([]byte, len(want))
	_, rerr := io.ReadFull(c, got)
	if werr := <-errc; werr != nil {
		return werr
	}
	if rerr != nil {
		return rerr
	}
	if !bytes.Equal(got, want) {
		return errors.New("received data differs")
	}
	return nil
}

// The in-memory pipe and the channel transport each carry a full handshake
// and 1 MiB each way, with reads and writes running at the same time.
func TestTransportsCarryHandshakeAndMegabyte(t *testing.T) {
	pairs := map[string]func() (transport.Transport, transport.Transport){
		"pipe":     func() (transport.Transport, transport.Transport) { a, b := transport.Pipe(); return a, b },
		"channels": func() (transport.Transport, transport.Transport) { a, b := transport.ChannelPair(); return a, b },
	}
	for name, mk := range pairs {
		t.Run(name, func(t *testing.T) {
			ccfg, scfg := configs(t)
			ta, tb := mk()
			client, _ := adapters.Client(ta, ccfg)
			server, _ := adapters.Server(tb, scfg)
			toServer, toClient := payload(1<<20, 1), payload(1<<20, 2)
			errc := make(chan error, 1)
			go func() { errc <- exchange(server, toClient, toServer) }()
			if err := exchange(client, toServer, toClient); err != nil {
				t.Fatal(err)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if !client.ConnectionState().HandshakeComplete || !server.ConnectionState().HandshakeComplete {
				t.Fatal("handshake not reported complete")
			}
			client.Close()
			if n, err := server.Read(make([]byte, 1)); n != 0 || err != io.EOF {
				t.Fatalf("after the client's Close, server reads %d, %v; want io.EOF", n, err)
			}
			server.Close()
		})
	}
}

// A peer that never answers makes Handshake fail with a timeout at the
// deadline, whether the deadline is set on the Conn or comes from a context.
func TestHandshakeDeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // silent: reads nothing, answers nothing
		}
	}()
	ccfg, _ := configs(t)
	t.Run("SetDeadline", func(t *testing.T) {
		nc, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c, _ := adapters.Client(nc, ccfg)
		defer c.Close()
		c.SetDeadline(time.Now().Add(200 * time.Millisecond))
		start := time.Now()
		err = c.Handshake(context.Background())
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("got %v, want a deadline error", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("the deadline was not honoured")
		}
	})
	t.Run("after the handshake", func(t *testing.T) {
		ccfg, scfg := configs(t)
		a, b := transport.Pipe()
		server, _ := adapters.Server(b, scfg)
		go server.Handshake(context.Background()) // then stays silent
		c, _ := adapters.Client(a, ccfg)
		if err := c.Handshake(context.Background()); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("Read on a silent peer: %v, want a deadline error", err)
		}
	})
	t.Run("context", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := adapters.DialContext(ctx, "tcp", ln.Addr().String(), ccfg)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want context.DeadlineExceeded", err)
		}
	})
}

// 1,000 concurrent connections through Listen and Dial all complete and
// echo, and no goroutine is left behind once they are closed.
func TestThousandConcurrentConnections(t *testing.T) {
	before := runtime.NumGoroutine()
	ccfg, scfg := configs(t)
	ccfg.ServerName = "localhost"
	ln, err := adapters.Listen("tcp", "127.0.0.1:0", scfg)
	if err != nil {
		t.Fatal(err)
	}
	var serving sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			serving.Add(1)
			go func() {
				defer serving.Done()
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			c, err := adapters.DialContext(ctx, "tcp", ln.Addr().String(), ccfg)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			msg := []byte{byte(i), byte(i >> 8), 'e', 'c', 'h', 'o'}
			if err := exchange(c, msg, msg); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ln.Close()
	serving.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Fatalf("%d goroutines before, %d after", before, g)
	}
}

// Shutdown sends close_notify to open connections, waits for their
// handlers, and later connections are refused.
func TestGracefulShutdown(t *testing.T) {
	ccfg, scfg := configs(t)
	ccfg.ServerName = "localhost"
	srv := &adapters.TLSServer{Config: scfg, OnSecureConnection: func(c *adapters.Conn) {
		c.Write([]byte("welcome!\n"))
		io.Copy(c, c)
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	c, err := adapters.Dial("tcp", ln.Addr().String(), ccfg)
	if err != nil {
		t.Fatal(err)
	}
	greeting := make([]byte, 9)
	if _, err := io.ReadFull(c, greeting); err != nil || string(greeting) != "welcome!\n" {
		t.Fatalf("greeting %q, %v", greeting, err)
	}
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.Shutdown(ctx)
	}()
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("client read %v, want io.EOF from the server's close_notify", err)
	}
	c.Close()
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, adapters.ErrServerClosed) {
		t.Fatalf("Serve returned %v", err)
	}
}

// Many key updates from the peer (each an engine event) never stall a Conn:
// it drains the event queue as it reads.
func TestManyKeyUpdates(t *testing.T) {
	ccfg, scfg := configs(t)
	a, b := transport.Pipe()
	updates := 0
	server, _ := adapters.Server(b, scfg)
	server.OnEvent = func(ev engine.Event) {
		if ev.Kind == engine.EventKeyUpdated && !ev.Local {
			updates++
		}
	}
	client, _ := adapters.Client(a, ccfg)
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, 100)
		total := 0
		for total < 200*5 {
			n, err := server.Read(buf)
			if err != nil {
				errc <- err
				return
			}
			total += n
		}
		errc <- nil
	}()
	for i := 0; i < 200; i++ {
		if err := client.KeyUpdate(false); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Write([]byte("tick!")); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if updates != 200 {
		t.Fatalf("server saw %d key updates, want 200", updates)
	}
}
