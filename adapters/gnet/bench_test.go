package gnettls

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/securepair/securepair/securepairtest/certgen"
)

// A server under measurement: its address and how many handshakes it
// completed.
type benchServer struct {
	name      string
	addr      string
	caPEM     []byte
	completed func() int
}

// benchServers starts gnet+securepair (four loops) and a goroutine-per-
// connection crypto/tls server, both echo servers with the same kind of
// certificate.
func benchServers(b *testing.B) []benchServer {
	f := startServer(b, Options{}, certgen.ECDSAP256, 4)
	ours := benchServer{name: "gnet+securepair", addr: f.addr, caPEM: f.caPEM, completed: func() int {
		f.h.mu.Lock()
		defer f.h.mu.Unlock()
		return f.h.secure
	}}
	ca, leaf := newCredentials(b, certgen.ECDSAP256, certgen.LeafOptions{}, testHost)
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	var done atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { // the goroutine per connection crypto/tls needs
				defer c.Close()
				if c.(*tls.Conn).Handshake() != nil {
					return
				}
				done.Add(1)
				buf := make([]byte, 16<<10)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					if _, err := c.Write(buf[:n]); err != nil {
						return
					}
				}
			}()
		}
	}()
	theirs := benchServer{name: "crypto/tls", addr: l.Addr().String(), caPEM: pemOf(ca), completed: func() int { return int(done.Load()) }}
	return []benchServer{ours, theirs}
}

func (s benchServer) clientConfig() *tls.Config {
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(s.caPEM)
	return &tls.Config{RootCAs: roots, ServerName: testHost}
}

// One full TLS 1.3 handshake (ECDSA P-256, X25519) per op by a crypto/tls
// client in this process: the client's work is in both numbers.
func BenchmarkHandshake(b *testing.B) {
	for _, s := range benchServers(b) {
		b.Run(s.name, func(b *testing.B) {
			cfg := s.clientConfig()
			cpu := processCPU()
			for b.Loop() {
				c, err := tls.Dial("tcp", s.addr, cfg)
				if err != nil {
					b.Fatal(err)
				}
				c.Close()
			}
			reportCPU(b, cpu)
		})
	}
}

// A 64 KiB echo per op through one connection.
func BenchmarkEcho64KiB(b *testing.B) {
	payload := bytes.Repeat([]byte{'e'}, 64<<10)
	for _, s := range benchServers(b) {
		b.Run(s.name, func(b *testing.B) {
			c, err := tls.Dial("tcp", s.addr, s.clientConfig())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			b.SetBytes(int64(len(payload)))
			cpu := processCPU()
			for b.Loop() {
				if err := echoOnce(c, payload); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// The server process's memory per idle TLS connection (heap and goroutine
// stacks in use, after a GC), with 1,000 and 10,000 connections held by a
// child process; kernel socket buffers are not counted.
func BenchmarkIdleConnection(b *testing.B) {
	atScale(b, func(b *testing.B, s benchServer, n int) { b.ReportMetric(idleBytesPerConn(b, s, n), "B/conn") })
}

// atScale runs one op per loop for each server with 1,000 and 10,000
// connections, the file limit raised for them.
func atScale(b *testing.B, op func(b *testing.B, s benchServer, n int)) {
	if _, err := raiseFileLimit(); err != nil {
		b.Fatal(err)
	}
	for _, s := range benchServers(b) {
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("%s/%d", s.name, n), func(b *testing.B) {
				for b.Loop() {
					op(b, s, n)
				}
			})
		}
	}
}

func idleBytesPerConn(b *testing.B, s benchServer, n int) float64 {
	before := inUse()
	startCompleted := s.completed()
	clients := startClients(b, s.addr, n, 0, s.caPEM)
	defer clients.stop()
	waitFor(b, func() bool { return s.completed()-startCompleted == n })
	return float64(inUse()-before) / float64(n)
}

// busyEcho is what each connection of BenchmarkBusyConnections echoes.
const busyEcho = 16 << 10

// The server's CPU per handshake and per echoed byte with 1,000 and 10,000
// connections busy at once. A child process connects them (64 handshakes
// in flight, the rest held open), then echoes 16 KiB on every connection
// at the same time; the CPU is this process's alone, so the server's (the
// clients are in the child). Run with -benchtime 1x: one op is the whole
// run.
func BenchmarkBusyConnections(b *testing.B) { atScale(b, busyRun) }

// busyRun connects n clients to s and echoes on all of them, reporting the
// server's CPU per handshake and per KiB echoed (both directions
// encrypted and decrypted), and the wall-clock rates.
func busyRun(b *testing.B, s benchServer, n int) {
	startCompleted := s.completed()
	cpu, wall := processCPU(), time.Now()
	clients := startClients(b, s.addr, n, busyEcho, s.caPEM)
	defer clients.stop()
	waitFor(b, func() bool { return s.completed()-startCompleted == n })
	b.ReportMetric(float64(processCPU()-cpu)/float64(n), "server-cpu-ns/handshake")
	b.ReportMetric(float64(n)/time.Since(wall).Seconds(), "handshakes/s")

	cpu, wall = processCPU(), time.Now()
	fmt.Fprintln(clients.stdin, "echo")
	clients.expect(b, "echoed")
	kib := float64(n) * busyEcho / 1024
	b.ReportMetric(float64(processCPU()-cpu)/kib, "server-cpu-ns/KiB")
	b.ReportMetric(kib/1024/time.Since(wall).Seconds(), "echo-MiB/s")
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per op since start: client and server
// together, as both run in this process (the client's share is the same
// against either server).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

// inUse is heap and stack memory in use after a GC.
func inUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
