package adapters_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
	"github.com/securepair/securepair/transport"
)

// exampleConfigs makes what every example needs: a CA, a server certificate
// for "localhost", and a client that trusts the CA. A real program loads
// PEM files instead (engine.LoadKeyPair, engine.CertPoolFromPEM).
func exampleConfigs() (client, server *engine.Config) {
	ca, err := certgen.NewCA("example CA")
	if err != nil {
		log.Fatal(err)
	}
	cert, err := ca.Leaf(certgen.ECDSAP256, []string{"localhost"}, certgen.LeafOptions{})
	if err != nil {
		log.Fatal(err)
	}
	now := func() time.Time { return certgen.Epoch }
	return &engine.Config{ServerName: "localhost", RootCAs: ca.Pool, Time: now},
		&engine.Config{Certificates: []tls.Certificate{cert}, Time: now}
}

// Node's tls.connect: dial, handshake, then an ordinary net.Conn.
func ExampleDial() {
	clientCfg, serverCfg := exampleConfigs()
	ln, err := adapters.Listen("tcp", "127.0.0.1:0", serverCfg)
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.WriteString(c, "hello from the server\n")
			c.Close()
		}
	}()

	conn, err := adapters.Dial("tcp", ln.Addr().String(), clientCfg)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	line, _ := bufio.NewReader(conn).ReadString('\n')
	st := conn.EngineState()
	fmt.Print(line)
	fmt.Println(st.Version == engine.VersionTLS13, st.Authorized)
	// Output:
	// hello from the server
	// true true
}

// Node's tls.createServer with a 'secureConnection' listener: the seed's
// echo server, stopped gracefully.
func ExampleTLSServer() {
	clientCfg, serverCfg := exampleConfigs()
	srv := &adapters.TLSServer{Config: serverCfg, OnSecureConnection: func(c *adapters.Conn) {
		io.WriteString(c, "welcome!\n")
		io.Copy(c, c)
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // or srv.ListenAndServe(":8000")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln)

	conn, err := adapters.Dial("tcp", ln.Addr().String(), clientCfg)
	if err != nil {
		log.Fatal(err)
	}
	r := bufio.NewReader(conn)
	welcome, _ := r.ReadString('\n')
	io.WriteString(conn, "echo me\n")
	echo, _ := r.ReadString('\n')
	fmt.Print(welcome, echo)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error)
	go func() { done <- srv.Shutdown(ctx) }() // close_notify to every client, then wait for the handlers
	_, err = r.ReadString('\n')
	fmt.Println(err) // the server's close_notify
	conn.Close()     // the handler's io.Copy ends
	fmt.Println(<-done)
	// Output:
	// welcome!
	// echo me
	// EOF
	// <nil>
}

// net/http over securepair: Listen gives a net.Listener of TLS connections,
// and Dial serves an http.Transport.
func ExampleListen() {
	clientCfg, serverCfg := exampleConfigs()
	ln, err := adapters.Listen("tcp", "127.0.0.1:0", serverCfg)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over TLS\n")
	})}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return adapters.DialContext(ctx, network, addr, clientCfg)
		},
	}}
	resp, err := client.Get("https://" + ln.Addr().String() + "/")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, " ", string(body))
	// Output: 200 OK hello over TLS
}

// STARTTLS on a mail submission connection: the SMTP dialogue, then TLS.
// Here both ends run in one process over an in-memory pipe.
func ExampleDialStartTLS() {
	clientCfg, serverCfg := exampleConfigs()
	clientEnd, serverEnd := transport.Pipe()
	go func() {
		c, err := adapters.AcceptStartTLS(serverEnd, adapters.SMTP, "mx.example", serverCfg)
		if err == nil {
			io.WriteString(c, "250 ready over TLS\r\n")
		}
	}()

	conn, err := adapters.DialStartTLS(clientEnd, adapters.SMTP, clientCfg)
	if err != nil {
		log.Fatal(err) // adapters.ErrPipelinedPlaintext if the server injected plaintext
	}
	line, _ := bufio.NewReader(conn).ReadString('\n')
	fmt.Print(line)
	// Output: 250 ready over TLS
}

// An event loop built on channels only: the client engine runs in a Loop,
// the server at the other end of the channels.
func ExampleLoop() {
	clientCfg, serverCfg := exampleConfigs()
	e, err := engine.NewClient(clientCfg)
	if err != nil {
		log.Fatal(err)
	}
	toServer, toClient := make(chan []byte, 8), make(chan []byte, 8)
	appIn, appOut := make(chan []byte), make(chan []byte, 8)
	loop := &adapters.Loop{Engine: e, FromPeer: toClient, ToPeer: toServer, AppIn: appIn, AppOut: appOut}
	go loop.Run(context.Background())
	go func() {
		c, err := adapters.Server(transport.NewChannels(toServer, toClient), serverCfg)
		if err == nil {
			io.Copy(c, c) // echo
		}
	}()

	appIn <- []byte("ping")
	fmt.Println(string(<-appOut))
	// Output: ping
}
