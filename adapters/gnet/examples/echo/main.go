// Command echo is a TLS echo server on gnet's event loops: what a client
// sends over TLS comes back, with no goroutine per connection.
//
//	go run ./examples/echo -cert server.pem -key server-key.pem -listen 127.0.0.1:8443
package main

import (
	"crypto/tls"
	"flag"
	"log"

	gnettls "github.com/securepair/securepair/adapters/gnet"
	"github.com/securepair/securepair/engine"
)

// echo writes back what arrives.
type echo struct{}

func (echo) OnSecure(c *gnettls.Conn) {
	log.Printf("%s: %s", c.RemoteAddr(), engine.SuiteName(c.ConnectionState().CipherSuite))
}
func (echo) OnData(c *gnettls.Conn, data []byte) { _, _ = c.Write(data) }
func (echo) OnClose(c *gnettls.Conn, err error) {
	if err != nil {
		log.Printf("%s: %v", c.RemoteAddr(), err)
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8443", "address to listen on")
	certFile := flag.String("cert", "server.pem", "certificate chain (PEM)")
	keyFile := flag.String("key", "server-key.pem", "private key (PEM)")
	flag.Parse()
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(gnettls.ListenAndServe(*listen, &engine.Config{Certificates: []tls.Certificate{cert}}, echo{}, gnettls.Options{}))
}
