package adapters_test

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// ListenAndServe binds the address it is given and serves on it until
// Shutdown, which makes it return ErrServerClosed.
func TestListenAndServe(t *testing.T) {
	clientCfg, serverCfg := configs(t)
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String() // a free port, released for the server
	probe.Close()
	srv := &adapters.TLSServer{Config: serverCfg, OnSecureConnection: func(c *adapters.Conn) { io.WriteString(c, "hi\n") }}
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe(addr) }()

	var conn *adapters.Conn
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if conn, err = adapters.Dial("tcp", addr, clientCfg); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || line != "hi\n" {
		t.Fatalf("read %q, %v", line, err)
	}
	conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, adapters.ErrServerClosed) {
		t.Fatalf("ListenAndServe returned %v", err)
	}
}

// A refused handshake through Dial keeps its cause: the x509 error, inside an
// AlertError the client sent.
func TestDialRefusedKeepsCause(t *testing.T) {
	clientCfg, serverCfg := configs(t)
	clientCfg.RootCAs = x509.NewCertPool() // trusts nothing
	ln, err := adapters.Listen("tcp", "127.0.0.1:0", serverCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Read(make([]byte, 1))
			c.Close()
		}
	}()
	_, err = adapters.Dial("tcp", ln.Addr().String(), clientCfg)
	var unknown x509.UnknownAuthorityError
	var ae *engine.AlertError
	if !errors.As(err, &unknown) || !errors.As(err, &ae) || ae.Remote || ae.Alert != engine.AlertUnknownCA {
		t.Fatalf("Dial: %v", err)
	}
}
