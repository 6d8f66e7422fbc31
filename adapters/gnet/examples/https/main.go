// Command https is a small HTTPS (HTTP/1.1) responder on gnet's event
// loops: every request gets a short text answer, keep-alive honoured.
//
//	go run ./examples/https -cert server.pem -key server-key.pem -listen 127.0.0.1:8443
//	curl --cacert ca.pem https://localhost:8443/
package main

import (
	"bytes"
	"crypto/tls"
	"flag"
	"fmt"
	"log"

	gnettls "github.com/securepair/securepair/adapters/gnet"
	"github.com/securepair/securepair/engine"
)

// maxHead bounds a request's head: more without its end closes the
// connection with 431.
const maxHead = 16 << 10

// responder answers each request head; requests carry no body here.
type responder struct{}

// pending holds a connection's bytes up to a whole request head.
type pending struct{ buf []byte }

func (responder) OnSecure(c *gnettls.Conn) { c.SetContext(&pending{}) }

func (responder) OnData(c *gnettls.Conn, data []byte) {
	p := c.Context().(*pending)
	p.buf = append(p.buf, data...)
	for {
		end := bytes.Index(p.buf, []byte("\r\n\r\n"))
		if end < 0 {
			if len(p.buf) > maxHead {
				_, _ = c.Write([]byte("HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
				_ = c.Close()
			}
			return
		}
		head := string(p.buf[:end])
		p.buf = p.buf[end+4:]
		answer(c, head)
	}
}

// answer writes the response to one request head.
func answer(c *gnettls.Conn, head string) {
	line, _, _ := bytes.Cut([]byte(head), []byte("\r\n"))
	parts := bytes.Fields(line)
	if len(parts) != 3 || !bytes.HasPrefix(parts[2], []byte("HTTP/1.")) {
		_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
		_ = c.Close()
		return
	}
	body := fmt.Sprintf("hello from gnet over %s: %s %s\n", engine.SuiteName(c.ConnectionState().CipherSuite), parts[0], parts[1])
	_, _ = fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

func (responder) OnClose(*gnettls.Conn, error) {}

func main() {
	listen := flag.String("listen", "127.0.0.1:8443", "address to listen on")
	certFile := flag.String("cert", "server.pem", "certificate chain (PEM)")
	keyFile := flag.String("key", "server-key.pem", "private key (PEM)")
	flag.Parse()
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	cfg := &engine.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}}
	log.Fatal(gnettls.ListenAndServe(*listen, cfg, responder{}, gnettls.Options{}))
}
