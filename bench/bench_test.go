// Package bench measures securepair against crypto/tls in one process, over
// the same in-memory transport (transport.Pipe), with the same certificate
// and key exchange. Compare the impl= columns with benchstat:
//
//	go test ./bench -bench . -count 6 | tee out.txt
//	benchstat -col /impl out.txt
package bench

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
	"github.com/securepair/securepair/transport"
)

const host = "bench.test"

type setup struct {
	ca   *certgen.CA
	leaf tls.Certificate
}

func newSetup(b *testing.B) *setup {
	ca, err := certgen.NewCA("bench CA")
	if err != nil {
		b.Fatal(err)
	}
	leaf, err := ca.Leaf(certgen.ECDSAP256, []string{host}, certgen.LeafOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return &setup{ca: ca, leaf: leaf}
}

// conn is what both implementations give a benchmark: a handshake and a
// byte stream.
type conn interface {
	io.ReadWriter
	Handshake() error
}

// impl opens a client and a server over one pipe.
type impl struct {
	name string
	open func(s *setup, c, sv net.Conn) (client, server conn)
}

var impls = []impl{
	{"securepair", func(s *setup, c, sv net.Conn) (conn, conn) {
		ce, err := engine.NewClient(&engine.Config{RootCAs: s.ca.Pool, ServerName: host, Time: epoch,
			CipherSuites: []uint16{engine.TLS_AES_128_GCM_SHA256}, CurvePreferences: []tls.CurveID{tls.X25519}})
		if err != nil {
			panic(err)
		}
		se, err := engine.NewServer(&engine.Config{Certificates: []tls.Certificate{s.leaf},
			CurvePreferences: []tls.CurveID{tls.X25519}})
		if err != nil {
			panic(err)
		}
		return adapterConn{adapters.NewConn(c, ce)}, adapterConn{adapters.NewConn(sv, se)}
	}},
	{"crypto-tls", func(s *setup, c, sv net.Conn) (conn, conn) {
		cc := tls.Client(c, &tls.Config{RootCAs: s.ca.Pool, ServerName: host, Time: epoch,
			MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519}})
		sc := tls.Server(sv, &tls.Config{Certificates: []tls.Certificate{s.leaf}, SessionTicketsDisabled: true,
			MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519}})
		return cc, sc
	}},
}

func epoch() time.Time { return certgen.Epoch }

// adapterConn gives adapters.Conn the benchmark's Handshake() shape: the
// benchmark runs the adapter users run.
type adapterConn struct{ *adapters.Conn }

func (a adapterConn) Handshake() error { return a.Conn.Handshake(context.Background()) }

// handshakeBoth runs both handshakes, the server's in a goroutine.
func handshakeBoth(client, server conn) error {
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake() }()
	err := client.Handshake()
	if serr := <-errc; err == nil {
		err = serr
	}
	return err
}

// BenchmarkHandshake: a full TLS 1.3 handshake, X25519 + ECDSA P-256
// (TLS_AES_128_GCM_SHA256), client and server both measured.
func BenchmarkHandshake(b *testing.B) {
	s := newSetup(b)
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, sv := transport.Pipe()
				client, server := im.open(s, c, sv)
				if err := handshakeBoth(client, server); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBulk64MiB: 64 MiB from client to server in 16 KiB writes.
func BenchmarkBulk64MiB(b *testing.B) {
	s := newSetup(b)
	const total, chunk = 64 << 20, 16 << 10
	data := make([]byte, chunk)
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(total)
			for b.Loop() {
				c, sv := transport.Pipe()
				client, server := im.open(s, c, sv)
				if err := handshakeBoth(client, server); err != nil {
					b.Fatal(err)
				}
				done := make(chan error, 1)
				go func() {
					buf := make([]byte, 32<<10)
					var err error
					for got := 0; got < total && err == nil; {
						var n int
						n, err = server.Read(buf)
						got += n
					}
					done <- err
				}()
				for sent := 0; sent < total; sent += chunk {
					if _, err := client.Write(data); err != nil {
						b.Fatal(err)
					}
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
