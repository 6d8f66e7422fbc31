package main

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/internal/certgen"
)

// runDemo starts a server on a random 127.0.0.1 port, connects a client over
// TCP, and reports what happened.
func runDemo(out io.Writer) error {
	ca, err := certgen.NewCA("securepair demo CA")
	if err != nil {
		return err
	}
	leaf, err := ca.Leaf(certgen.ECDSAP256, []string{"localhost"}, certgen.LeafOptions{
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Fprintf(out, "server listening on %s\n", ln.Addr())

	serverDone := make(chan error, 1)
	go func() {
		serverDone <- serveOneEcho(ln, &engine.Config{Certificates: []tls.Certificate{leaf}, NextProtos: []string{"echo/1"}})
	}()

	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	conn, err := adapters.Client(nc, &engine.Config{RootCAs: ca.Pool, ServerName: "localhost", NextProtos: []string{"echo/1"}})
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write([]byte("hello, securepair\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	st := conn.ConnectionState()
	fmt.Fprintf(out, "client connected %s\n", authorized(st))
	fmt.Fprintf(out, "version: TLS 1.3\ncipher: %s\ngroup: %s\nalpn: %s\nservername: %s\n",
		handshake.SuiteName(st.CipherSuite), handshake.GroupName(uint16(st.Group)), st.NegotiatedProtocol, st.ServerName)
	fmt.Fprintf(out, "echoed: %s", line)
	conn.Close()
	return <-serverDone
}

func authorized(st engine.ConnectionState) string {
	if st.Authorized {
		return "authorized"
	}
	return fmt.Sprintf("unauthorized: %v", st.AuthorizationError)
}

// serveOneEcho accepts one connection and echoes one line back.
func serveOneEcho(ln net.Listener, cfg *engine.Config) error {
	nc, err := ln.Accept()
	if err != nil {
		return err
	}
	conn, err := adapters.Server(nc, cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	_, err = conn.Write([]byte(line))
	return err
}
