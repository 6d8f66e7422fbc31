package adapters_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// Node's tls.connect: dial, handshake, then an ordinary net.Conn.
func ExampleDial() {
	conn, err := adapters.Dial("tcp", "example.com:443", &engine.Config{NextProtos: []string{"http/1.1"}})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
	io.Copy(io.Discard, conn)
}

// Node's tls.createServer with a 'secureConnection' listener: the seed's
// echo server, stopped gracefully.
func ExampleTLSServer() {
	cfg := &engine.Config{ /* Certificates: ... */ }
	srv := &adapters.TLSServer{Config: cfg, OnSecureConnection: func(c *adapters.Conn) {
		fmt.Println(c.ConnectionState().Authorized)
		io.WriteString(c, "welcome!\n")
		io.Copy(c, c)
	}}
	go srv.ListenAndServe("127.0.0.1:8000")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
}

// net/http over securepair: Listen gives a net.Listener of TLS connections.
func ExampleListen() {
	ln, err := adapters.Listen("tcp", "127.0.0.1:8443", &engine.Config{ /* Certificates: ... */ })
	if err != nil {
		log.Fatal(err)
	}
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over TLS\n")
	}))
}

// STARTTLS on a mail submission connection: the SMTP dialogue, then TLS.
func ExampleDialStartTLS() {
	nc, err := net.Dial("tcp", "mail.example.com:587")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := adapters.DialStartTLS(nc, adapters.SMTP, &engine.Config{ServerName: "mail.example.com"})
	if err != nil {
		log.Fatal(err) // adapters.ErrPipelinedPlaintext if the server injected plaintext
	}
	fmt.Fprintf(conn, "EHLO client.example.com\r\n")
}

// An event loop built on channels only.
func ExampleLoop() {
	e, _ := engine.NewClient(&engine.Config{ServerName: "example.com"})
	fromPeer, toPeer := make(chan []byte), make(chan []byte)
	appIn, appOut := make(chan []byte), make(chan []byte)
	loop := &adapters.Loop{Engine: e, FromPeer: fromPeer, ToPeer: toPeer, AppIn: appIn, AppOut: appOut}
	go loop.Run(context.Background())
	// Wire toPeer/fromPeer to a socket, a queue, a test harness...
}
