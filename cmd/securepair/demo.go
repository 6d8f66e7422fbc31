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
	"github.com/securepair/securepair/securepairtest/certgen"
)

// demoSetup is the demo's throwaway PKI and configs.
type demoSetup struct {
	server, client *engine.Config
}

func newDemoSetup() (*demoSetup, error) {
	from, until := time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	ca, err := certgen.NewCAValid("securepair demo CA", from, until)
	if err != nil {
		return nil, err
	}
	serverCert, err := ca.Leaf(certgen.ECDSAP256, []string{"localhost"}, certgen.LeafOptions{NotBefore: from, NotAfter: until})
	if err != nil {
		return nil, err
	}
	clientCert, err := ca.Leaf(certgen.Ed25519, []string{"demo client"}, certgen.LeafOptions{NotBefore: from, NotAfter: until, Client: true})
	if err != nil {
		return nil, err
	}
	return &demoSetup{
		server: &engine.Config{Certificates: []tls.Certificate{serverCert}, NextProtos: []string{"echo/1"},
			ClientAuth: tls.RequestClientCert, ClientCAs: ca.Pool},
		client: &engine.Config{RootCAs: ca.Pool, ServerName: "localhost", NextProtos: []string{"echo/1"},
			Certificates: []tls.Certificate{clientCert}},
	}, nil
}

// runDemo runs, in one process on 127.0.0.1, a TLS server that requests
// client certificates and a client that has one, then the same over an SMTP
// STARTTLS upgrade, and reports what each side saw.
func runDemo(out io.Writer) error {
	s, err := newDemoSetup()
	if err != nil {
		return err
	}
	for _, proto := range []adapters.Protocol{"", adapters.SMTP} {
		if err := demoOnce(out, s, proto); err != nil {
			return err
		}
	}
	return nil
}

func demoOnce(out io.Writer, s *demoSetup, proto adapters.Protocol) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	title := "TLS"
	if proto != "" {
		title = "STARTTLS (" + string(proto) + ")"
	}
	fmt.Fprintf(out, "== %s: server on %s\n", title, ln.Addr())

	serverSaw := make(chan string, 1)
	serverDone := make(chan error, 1)
	go func() { serverDone <- demoServe(ln, s.server, proto, serverSaw) }()

	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	var conn *adapters.Conn
	if proto == "" {
		conn, err = adapters.Client(nc, s.client)
	} else {
		conn, err = adapters.DialStartTLS(nc, proto, s.client)
	}
	if err != nil {
		nc.Close()
		return err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("hello, securepair\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	st := conn.EngineState()
	fmt.Fprintln(out, authorizedLine("client", st))
	fmt.Fprintln(out, <-serverSaw)
	fmt.Fprintf(out, "version: %s\ncipher: %s\ngroup: %s\nalpn: %s\nservername: %s\necho: %s",
		versionName(st.Version), engine.SuiteName(st.CipherSuite), engine.GroupName(uint16(st.Group)),
		orNone(st.NegotiatedProtocol), st.ServerName, line)
	conn.Close()
	return <-serverDone
}

// demoServe accepts one connection, reports how the client authenticated,
// and echoes one line.
func demoServe(ln net.Listener, cfg *engine.Config, proto adapters.Protocol, saw chan<- string) error {
	nc, err := ln.Accept()
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	var conn *adapters.Conn
	if proto == "" {
		conn, err = adapters.Server(nc, cfg)
	} else {
		conn, err = adapters.AcceptStartTLS(nc, proto, "localhost", cfg)
	}
	if err != nil {
		saw <- "server failed: " + err.Error()
		return err
	}
	defer conn.Close()
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		saw <- "server failed: " + err.Error()
		return fmt.Errorf("server: %w", err)
	}
	saw <- authorizedLine("server", conn.EngineState())
	_, err = conn.Write([]byte(line))
	return err
}
