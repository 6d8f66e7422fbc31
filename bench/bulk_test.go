package bench

import (
	"crypto/tls"

	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
)

// bulkVariants are the record protections of the bulk matrix. crypto/tls
// cannot be told which TLS 1.3 suite to use (it takes AES-128-GCM on
// hardware with AES instructions), so AES-256-GCM and ChaCha20-Poly1305
// are compared with it over TLS 1.2, and measured for securepair over TLS
// 1.3 too.
var bulkVariants = []variant{
	tls13.withSuite("TLS13-AES128GCM", tls.TLS_AES_128_GCM_SHA256),
	tls13.withSuite("TLS13-AES256GCM", tls.TLS_AES_256_GCM_SHA384),
	tls13.withSuite("TLS13-CHACHA20", tls.TLS_CHACHA20_POLY1305_SHA256),
	tls12.withSuite("TLS12-AES256GCM", tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384),
	tls12.withSuite("TLS12-CHACHA20", tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256),
}

var tls12 = variant{name: "TLS12", version: tls.VersionTLS12, suite: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	group: tls.X25519, key: tls13.key}

// crypto/tls picks its own TLS 1.3 suite: only AES-128-GCM is comparable.
func cryptoTLSCanUse(v variant) bool {
	return v.version == tls.VersionTLS12 || v.suite == tls.TLS_AES_128_GCM_SHA256
}

// BenchmarkBulk: one op is one 16 KiB write from client to server, read by
// the server; throughput is per byte of application data.
func BenchmarkBulk(b *testing.B) {
	for _, v := range bulkVariants {
		b.Run(v.name, func(b *testing.B) { benchmarkMessages(b, v, 16<<10) })
	}
}

// BenchmarkSmallMessages: one op is one 64-byte write from client to
// server, read by the server (TLS 1.3, AES-128-GCM): per-record overhead.
func BenchmarkSmallMessages(b *testing.B) {
	benchmarkMessages(b, tls13, 64)
	// Corked (Conn.Cork, opt-in): the writer sends its messages in batches
	// of 64, each batch one record.
	b.Run("impl=securepair-conn-corked", func(b *testing.B) {
		client, server, closeAll, err := syncStreams(streamImpls[0], tls13)
		if err != nil {
			b.Fatal(err)
		}
		defer closeAll()
		conn := client.(*adapters.Conn)
		data := make([]byte, 64)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		b.ResetTimer()
		err = streamWith(server, len(data)*b.N, func() error {
			for i := 0; i < b.N; i++ {
				if i%64 == 0 {
					if err := conn.Uncork(); err != nil {
						return err
					}
					conn.Cork()
				}
				if _, err := conn.Write(data); err != nil {
					return err
				}
			}
			return conn.Uncork()
		})
		if err != nil {
			b.Fatal(err)
		}
	})
}

func benchmarkMessages(b *testing.B, v variant, size int) {
	data := make([]byte, size)
	b.Run("impl=securepair-engine", func(b *testing.B) {
		cc, sc := v.ours(loadCerts())
		p, err := newEnginePair(cc, sc)
		if err == nil {
			err = p.handshake()
		}
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			if err := p.send(p.client, p.server, data); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, im := range streamImpls {
		b.Run("impl="+im.name, func(b *testing.B) {
			if im.name == "crypto-tls" && !cryptoTLSCanUse(v) {
				b.Skip("crypto/tls cannot be made to use this TLS 1.3 suite")
			}
			client, server, closeAll, err := syncStreams(im, v)
			if err != nil {
				b.Fatal(err)
			}
			defer closeAll()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			if err := stream1Way(client, server, data, b.N); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.Run("impl=floor", func(b *testing.B) {
		f := newRecordFloor(v.suite, size)
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			if err := f.op(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// stream1Way writes data n times on client while server reads it all.
func stream1Way(client, server io.ReadWriter, data []byte, n int) error {
	return streamWith(server, n*len(data), func() error {
		for i := 0; i < n; i++ {
			if _, err := client.Write(data); err != nil {
				return err
			}
		}
		return nil
	})
}

// streamWith runs write while server reads total bytes.
func streamWith(server io.Reader, total int, write func() error) error {
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 32<<10)
		var err error
		for got := 0; got < total && err == nil; {
			var k int
			k, err = server.Read(buf)
			got += k
		}
		done <- err
	}()
	if err := write(); err != nil {
		return err
	}
	return <-done
}

// BenchmarkBulkTCP: 16 KiB writes over loopback TCP, both ends in this
// process (TLS 1.3, AES-128-GCM). cpu-ns/op is the process's user and
// system time per op, which counts the socket system calls too.
func BenchmarkBulkTCP(b *testing.B) {
	data := make([]byte, 16<<10)
	for _, im := range streamImpls {
		b.Run("impl="+im.name, func(b *testing.B) {
			c, s, err := tcpPair()
			if err != nil {
				b.Fatal(err)
			}
			client, server, err := im.open(tls13.withSuite("TLS13-AES128GCM", tls.TLS_AES_128_GCM_SHA256), c, s)
			if err != nil {
				b.Fatal(err)
			}
			defer client.Close()
			defer server.Close()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			if err := stream1Way(client, server, data, b.N); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair() (net.Conn, net.Conn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	defer ln.Close()
	type accepted struct {
		c   net.Conn
		err error
	}
	ch := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		ch <- accepted{c, err}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, nil, err
	}
	a := <-ch
	if a.err != nil {
		c.Close()
		return nil, nil, a.err
	}
	return c, a.c, nil
}

// cpuTime is the process's user plus system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(errors.New("getrusage: " + err.Error()))
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
