package adapters_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/transport"
)

// Our STARTTLS client and server dialogues upgrade each protocol and carry
// data over TLS afterwards.
func TestStartTLSDialogues(t *testing.T) {
	for _, proto := range []adapters.Protocol{adapters.SMTP, adapters.IMAP, adapters.POP3, adapters.Postgres} {
		t.Run(string(proto), func(t *testing.T) {
			ccfg, scfg := configs(t)
			a, b := transport.Pipe()
			errc := make(chan error, 1)
			go func() {
				c, err := adapters.AcceptStartTLS(b, proto, host, scfg)
				if err == nil {
					_, err = io.Copy(c, c)
					c.Close()
				}
				errc <- err
			}()
			c, err := adapters.DialStartTLS(a, proto, ccfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := exchange(c, []byte("over TLS"), []byte("over TLS")); err != nil {
				t.Fatal(err)
			}
			c.Close()
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Plaintext a client pipelines after STARTTLS is refused, not carried into
// the TLS session (CVE-2011-0411).
func TestStartTLSServerRefusesPipelinedPlaintext(t *testing.T) {
	_, scfg := configs(t)
	a, b := transport.Pipe()
	errc := make(chan error, 1)
	go func() {
		_, err := adapters.AcceptStartTLS(b, adapters.SMTP, host, scfg)
		errc <- err
	}()
	br := bufio.NewReader(a)
	br.ReadString('\n') // greeting
	io.WriteString(a, "EHLO attacker\r\n")
	for line, _ := br.ReadString('\n'); !strings.HasPrefix(line, "250 "); line, _ = br.ReadString('\n') {
	}
	io.WriteString(a, "STARTTLS\r\nMAIL FROM:<injected@example.test>\r\n")
	if err := <-errc; !errors.Is(err, adapters.ErrPipelinedPlaintext) {
		t.Fatalf("got %v, want ErrPipelinedPlaintext", err)
	}
}

// A server that injects plaintext after accepting STARTTLS is refused by
// our client.
func TestStartTLSClientRefusesInjectedResponse(t *testing.T) {
	ccfg, _ := configs(t)
	a, b := transport.Pipe()
	go func() {
		br := bufio.NewReader(b)
		io.WriteString(b, "220 mx ESMTP\r\n")
		br.ReadString('\n')
		io.WriteString(b, "250-mx\r\n250 STARTTLS\r\n")
		br.ReadString('\n')
		io.WriteString(b, "220 go ahead\r\n250 injected\r\n")
	}()
	if _, err := adapters.DialStartTLS(a, adapters.SMTP, ccfg); !errors.Is(err, adapters.ErrPipelinedPlaintext) {
		t.Fatalf("got %v, want ErrPipelinedPlaintext", err)
	}
}

// A ClientHello sent right behind STARTTLS, already in the server's buffer,
// is kept and the handshake completes.
func TestStartTLSKeepsBufferedClientHello(t *testing.T) {
	ccfg, scfg := configs(t)
	a, b := transport.Pipe()
	errc := make(chan error, 1)
	go func() {
		c, err := adapters.AcceptStartTLS(b, adapters.POP3, host, scfg)
		if err == nil {
			err = c.Handshake(t.Context())
		}
		errc <- err
	}()
	br := bufio.NewReader(a)
	br.ReadString('\n')
	e, _ := engine.NewClient(ccfg)
	hello := make([]byte, 8192)
	n, _ := e.Encrypted().Read(hello)
	a.Write(append([]byte("STLS\r\n"), hello[:n]...)) // one write: the server buffers both
	if line, _ := br.ReadString('\n'); !strings.HasPrefix(line, "+OK") {
		t.Fatalf("STLS answer %q", line)
	}
	c := adapters.NewConn(prefixedConn{a, br}, e)
	if err := c.Handshake(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// prefixedConn reads through a bufio.Reader that may hold bytes already.
type prefixedConn struct {
	net.Conn
	br *bufio.Reader
}

func (p prefixedConn) Read(b []byte) (int, error) { return p.br.Read(b) }
