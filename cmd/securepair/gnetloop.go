package main

import (
	"context"
	"fmt"
	"io"

	"github.com/panjf2000/gnet/v2"

	gnettls "github.com/securepair/securepair/adapters/gnet"
	"github.com/securepair/securepair/engine"
)

// gnetEcho is the echo server of runServer on gnet's event loops: the same
// lines on stdout, "welcome!" then echo, with no goroutine per connection.
type gnetEcho struct{ stdout, stderr io.Writer }

func (h gnetEcho) OnSecure(c *gnettls.Conn) {
	st := c.ConnectionState()
	fmt.Fprintln(h.stdout, authorizedLine("server", st))
	fmt.Fprintf(h.stdout, "ja4: %s\nja3: %s\n", st.Fingerprint.JA4, st.Fingerprint.JA3Hash)
	_, _ = io.WriteString(c, "welcome!\n")
}

func (gnetEcho) OnData(c *gnettls.Conn, data []byte) { _, _ = c.Write(data) }

func (h gnetEcho) OnClose(_ *gnettls.Conn, err error) {
	if err != nil {
		fmt.Fprintf(h.stderr, "server connection: %v\n", err)
	}
}

// serveGnet runs the echo server on gnet at listen until ctx ends.
func serveGnet(ctx context.Context, listen string, cfg *engine.Config, stdout, stderr io.Writer) error {
	srv, err := gnettls.NewServer(cfg, gnetEcho{stdout, stderr}, gnettls.Options{})
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		done <- gnet.Run(srv, "tcp://"+listen, gnet.WithTicker(true), gnet.WithMulticore(true))
	}()
	select {
	case err := <-done: // listening failed
		return err
	case <-srv.Started():
	}
	fmt.Fprintln(stdout, "server bound")
	fmt.Fprintf(stderr, "listening on %s\n", srv.Addr())
	fmt.Fprintln(stderr, "serving on gnet's event loops")
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	if err := srv.Stop(context.Background()); err != nil {
		return err
	}
	return <-done
}
