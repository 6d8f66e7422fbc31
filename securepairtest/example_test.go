package securepairtest_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest"
	"github.com/securepair/securepair/securepairtest/certgen"
	"github.com/securepair/securepair/transport"
)

// A FaultConn cuts what one side writes into 2-byte pieces and flips the
// lowest bit of the first byte; the other side reads the result.
func ExampleFaultConn() {
	a, b := transport.Pipe()
	faulty := securepairtest.NewFaultConn(a,
		securepairtest.Fault{Kind: securepairtest.Split, N: 2},
		securepairtest.Fault{Kind: securepairtest.Flip, At: 0, Bit: 0})
	go func() {
		faulty.Write([]byte("hello"))
		faulty.Close()
	}()
	got, _ := io.ReadAll(b)
	fmt.Printf("%s after %d bytes\n", got, faulty.Written())
	// Output: iello after 5 bytes
}

// A drawn chunking cuts bytes in flight the same way for the same rapid
// seed (set it as Pair.Split).
func ExampleChunking() {
	split := securepairtest.Chunking().Example(1)
	for _, chunk := range split(true, []byte("0123456789abcdef")) {
		fmt.Print(len(chunk), " ")
	}
	fmt.Println()
	// Output: 3 2 1 3 7
}

// A transcript is a text file: a header, the seed, then one line per
// chunk: c>/s> for wire bytes from the client/server, c:/s: for the
// application's writes.
func ExampleReadTranscript() {
	tr, err := securepairtest.ReadTranscript(strings.NewReader(
		"securepair transcript 1\nseed 7\nc> 160301\ns> 160303\nc: 474554\n"))
	if err != nil {
		panic(err)
	}
	for _, c := range tr.Chunks {
		fmt.Printf("client %v, application %v, % x\n", c.FromClient, c.App, c.Data)
	}
	fmt.Println("seed", tr.Seed)
	// Output:
	// client true, application false, 16 03 01
	// client false, application false, 16 03 03
	// client true, application true, 47 45 54
	// seed 7
}

// A replay that differs names the first decoded line that changed.
func ExampleMismatch() {
	recorded := []byte{21, 3, 3, 0, 2, 2, 40} // an alert record
	replayed := []byte{21, 3, 3, 0, 2, 2, 50}
	err := &securepairtest.Mismatch{Chunk: 3, FromClient: false, Recorded: recorded, Replayed: replayed}
	fmt.Println(err)
	// Output:
	// securepairtest: replay differs at chunk 3 (server to peer, 7 bytes recorded, 7 replayed)
	//     after: record 1: alert, version 0x0303, 2 bytes
	//   - recorded: 0228
	//   + replayed: 0232
}

// MakePair works outside a test: a handshake and a request in memory.
func ExampleMakePair() {
	p, err := securepairtest.MakePair(1, securepairtest.WithKeyType(certgen.Ed25519))
	if err != nil {
		panic(err)
	}
	if err := p.Handshake(); err != nil {
		panic(err)
	}
	p.Write(p.Client, []byte("ping"))
	st := p.Client.ConnectionState()
	fmt.Println(engine.SuiteName(st.CipherSuite), engine.SignatureSchemeName(st.PeerSignatureScheme), p.ServerGot.String())
	// Output: TLS_AES_128_GCM_SHA256 ed25519 ping
}

// A recorded session replays byte for byte on a new pair from the same
// seed (Ed25519 and X25519 draw no randomness of Go's own, so this holds
// outside a test too).
func ExampleTranscript_ReplayOn() {
	first, _ := securepairtest.MakePair(7, securepairtest.WithKeyType(certgen.Ed25519))
	first.Handshake()
	first.Write(first.Client, []byte("GET /golden\n"))
	var golden strings.Builder
	first.Record(&golden)

	tr, _ := securepairtest.ReadTranscript(strings.NewReader(golden.String()))
	again, _ := securepairtest.MakePair(tr.Seed, securepairtest.WithKeyType(certgen.Ed25519))
	fmt.Println("replay:", tr.ReplayOn(again))
	// Output: replay: <nil>
}

// Exchange puts a request through TLS to a server function and returns
// its answer as the client read it.
func ExamplePair_Exchange() {
	p, _ := securepairtest.MakePair(3, securepairtest.WithKeyType(certgen.Ed25519))
	answer, err := p.Exchange([]byte("hello\n"), func(received []byte, reply io.Writer) {
		fmt.Fprintf(reply, "you said %q\n", strings.TrimSpace(string(received)))
	})
	fmt.Print(string(answer), err, "\n")
	// Output:
	// you said "hello"
	// <nil>
}

// MakeConnPair gives two net.Conns over an in-memory pipe.
func ExampleMakeConnPair() {
	p, _ := securepairtest.MakeConnPair(5)
	defer p.Client.Close()
	go p.Server.Write([]byte("over a pipe\n"))
	line := make([]byte, 12)
	io.ReadFull(p.Client, line)
	fmt.Printf("%s", line)
	// Output: over a pipe
}
