package engine_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// Fill reads ciphertext straight into the engine's buffer; it says
// ErrWouldBlock while the buffer is full, until cleartext is read out, and
// the whole stream arrives intact.
func TestFill(t *testing.T) {
	p := handshakePair(t, clientConfig(t), serverConfig(t, certgen.ECDSAP256))
	data := bytes.Repeat([]byte("0123456789abcdef"), 6<<10) // 96 KiB: six full records
	var wire bytes.Buffer
	for rest := data; len(rest) > 0; {
		n, err := p.Client.Cleartext().Write(rest)
		rest = rest[n:]
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			t.Fatal(err)
		}
		if _, err := p.Client.Encrypted().WriteTo(&wire); err != nil {
			t.Fatal(err)
		}
	}
	var got bytes.Buffer
	blocked := 0
	buf := make([]byte, 4096)
	for got.Len() < len(data) {
		for { // fill until the engine says stop
			_, err := p.Server.Encrypted().Fill(&wire)
			if errors.Is(err, engine.ErrWouldBlock) {
				blocked++
				if p.Server.Wants()&engine.HasCleartext == 0 {
					t.Fatalf("blocked with nothing to read: %v", p.Server.Wants())
				}
				break
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		for {
			n, err := p.Server.Cleartext().Read(buf)
			got.Write(buf[:n])
			if err != nil {
				break
			}
		}
	}
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatal("data differs")
	}
	if blocked == 0 {
		t.Fatal("Fill never reported a full buffer over six records")
	}
}

// SecurePair hands both sides to code that takes io.ReadWriters: here
// io.Copy moves a record, and fmt writes cleartext.
func ExampleEngine_SecurePair() {
	ca, _ := certgen.NewCA("example CA")
	cert, _ := ca.Leaf(certgen.ECDSAP256, []string{"example.test"}, certgen.LeafOptions{})
	client, server := examplePair(ca, cert)

	c, s := client.SecurePair(), server.SecurePair()
	fmt.Fprintf(c.Cleartext, "hello %d", 42)
	io.Copy(s.Encrypted, io.LimitReader(c.Encrypted, 1<<20))
	got, _ := io.ReadAll(io.LimitReader(s.Cleartext, 8))
	fmt.Println(string(got))
	// Output: hello 42
}

// examplePair returns a client and server that have completed a handshake.
func examplePair(ca *certgen.CA, cert tls.Certificate) (client, server *engine.Engine) {
	now := func() time.Time { return certgen.Epoch }
	client, _ = engine.NewClient(&engine.Config{ServerName: "example.test", RootCAs: ca.Pool, Time: now})
	server, _ = engine.NewServer(&engine.Config{Certificates: []tls.Certificate{cert}})
	buf := make([]byte, 64<<10)
	for {
		n, _ := client.Encrypted().Read(buf)
		server.Encrypted().Write(buf[:n])
		m, _ := server.Encrypted().Read(buf)
		client.Encrypted().Write(buf[:m])
		if n == 0 && m == 0 {
			return client, server
		}
	}
}
