package bench

import (
	"flag"
	"io"
	"runtime"
	"sync"
	"testing"
)

var memoryPairs = flag.Int("pairs", 10000, "client+server pairs BenchmarkMemory holds open")

// BenchmarkMemory holds -pairs connected client+server pairs (TLS 1.3 over
// transport.Pipe, every Conn with a goroutine blocked in Read, as a server
// keeps them) and reports the heap they take per pair after a collection,
// in three states: idle after the handshake; holding one unread 16 KiB
// record (the client's Read took one byte of it); after the client read
// the rest and blocked again. Goroutine stacks are the same for both
// implementations and not counted. Run it with -benchtime 1x.
func BenchmarkMemory(b *testing.B) {
	for _, im := range streamImpls {
		b.Run("impl="+im.name, func(b *testing.B) {
			for b.Loop() {
				idle, unread, drained, err := memoryStates(im, *memoryPairs)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(idle, "idle-B/pair")
				b.ReportMetric(unread, "unread-B/pair")
				b.ReportMetric(drained, "drained-B/pair")
			}
		})
	}
}

func memoryStates(im streamImpl, pairs int) (idle, unread, drained float64, err error) {
	base := heapInUse()
	record := make([]byte, 16<<10)
	type pair struct {
		client, server stream
		gotByte        chan error // the first byte, then the rest
		drain          chan struct{}
	}
	ps := make([]pair, pairs)
	var readers sync.WaitGroup
	for i := range ps {
		c, s, err := pipeStreams(im, tls13)
		if err != nil {
			return 0, 0, 0, err
		}
		p := pair{c, s, make(chan error, 1), make(chan struct{})}
		ps[i] = p
		readers.Add(2)
		go func() { // the server waits for a request that never comes
			defer readers.Done()
			io.ReadFull(p.server, make([]byte, 1))
		}()
		go func() {
			defer readers.Done()
			one := make([]byte, 1)
			_, err := io.ReadFull(p.client, one)
			p.gotByte <- err
			<-p.drain
			_, err = io.ReadFull(p.client, make([]byte, len(record)-1))
			p.gotByte <- err
			io.ReadFull(p.client, one) // blocked again, idle
		}()
	}
	perPair := func() float64 { return float64(heapInUse()-base) / float64(pairs) }
	idle = perPair()
	for _, p := range ps {
		if _, err := p.server.Write(record); err != nil {
			return 0, 0, 0, err
		}
	}
	for _, p := range ps {
		if err := <-p.gotByte; err != nil {
			return 0, 0, 0, err
		}
	}
	unread = perPair()
	for _, p := range ps {
		close(p.drain)
	}
	for _, p := range ps {
		if err := <-p.gotByte; err != nil {
			return 0, 0, 0, err
		}
	}
	drained = perPair()
	for _, p := range ps {
		p.client.Close()
		p.server.Close()
	}
	readers.Wait()
	return idle, unread, drained, nil
}

// heapInUse is the live heap after two collections (the second empties the
// pools' victim caches).
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
