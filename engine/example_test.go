package engine_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// Two engines joined by hand: what one side's Encrypted().Read returns is
// written to the other's Encrypted side until nothing is in flight; then
// either both completed the handshake or Err says why not.
func ExampleEngine() {
	ca, _ := certgen.NewCA("example CA")
	cert, _ := ca.Leaf(certgen.ECDSAP256, []string{"example.test"}, certgen.LeafOptions{})
	now := func() time.Time { return certgen.Epoch }

	client, _ := engine.NewClient(&engine.Config{ServerName: "example.test", RootCAs: ca.Pool, Time: now})
	server, _ := engine.NewServer(&engine.Config{Certificates: []tls.Certificate{cert}})

	buf := make([]byte, 64<<10)
	for {
		n, _ := client.Encrypted().Read(buf) // what the client wants sent
		server.Encrypted().Write(buf[:n])
		m, _ := server.Encrypted().Read(buf)
		client.Encrypted().Write(buf[:m])
		if n == 0 && m == 0 {
			break // nothing more in flight
		}
	}
	if err := errors.Join(client.Err(), server.Err()); err != nil {
		fmt.Println(err) // a refused handshake
		return
	}
	client.Cleartext().Write([]byte("hello, server"))
	n, _ := client.Encrypted().Read(buf)
	server.Encrypted().Write(buf[:n])
	n, _ = server.Cleartext().Read(buf)

	st := client.ConnectionState()
	fmt.Println(string(buf[:n]))
	fmt.Println(st.Version == tls.VersionTLS13, st.Authorized, st.ServerName)
	for ev, ok := server.NextEvent(); ok; ev, ok = server.NextEvent() {
		fmt.Println("server event:", ev.Kind)
	}
	// Output:
	// hello, server
	// true true example.test
	// server event: handshake done
}

// A fatal problem is an *engine.AlertError: here a server that is fed
// something that is not TLS.
func ExampleAlertError() {
	ca, _ := certgen.NewCA("example CA")
	cert, _ := ca.Leaf(certgen.ECDSAP256, []string{"example.test"}, certgen.LeafOptions{})
	server, _ := engine.NewServer(&engine.Config{Certificates: []tls.Certificate{cert}})

	_, err := server.Encrypted().Write([]byte("GET / HTTP/1.1\r\n\r\n"))
	fmt.Println(err)
	alert := make([]byte, 16)
	n, _ := server.Encrypted().Read(alert) // the alert record to send back
	fmt.Printf("% x\n", alert[:n])
	// Output:
	// tls: sent alert unexpected_message: record of unknown content type 71
	// 15 03 03 00 02 02 0a
}
