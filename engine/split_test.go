package engine_test

import (
	"bytes"
	"crypto/tls"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
	"pgregory.net/rapid"
)

// splitter cuts bytes in flight into chunks whose sizes cycle through sizes.
func splitter(sizes []int) func(bool, []byte) [][]byte {
	i := 0
	return func(_ bool, data []byte) [][]byte {
		var chunks [][]byte
		for len(data) > 0 {
			n := min(sizes[i%len(sizes)], len(data))
			i++
			chunks = append(chunks, data[:n])
			data = data[n:]
		}
		return chunks
	}
}

// outcome is what a handshake negotiated, for comparing runs.
type outcome struct {
	suite   uint16
	group   tls.CurveID
	alpn    string
	retried bool
}

func outcomeOf(st engine.ConnectionState) outcome {
	return outcome{st.CipherSuite, st.Group, st.NegotiatedProtocol, st.DidHelloRetry}
}

// For any split of the ciphertext into chunks, 1-byte chunks included, in
// either direction, each side reads exactly what the other wrote and the
// handshake negotiates the same as with whole flights.
func TestPropertyAnySplit(t *testing.T) {
	fixtures(t)
	rapid.Check(t, func(rt *rapid.T) {
		suite := rapid.SampledFrom(allSuites).Draw(rt, "suite")
		serverGroups := rapid.SampledFrom([][]tls.CurveID{{tls.X25519}, {tls.CurveP256}, {tls.X25519MLKEM768}, {tls.CurveP384, tls.X25519}}).Draw(rt, "serverGroups")
		kt := rapid.SampledFrom(certgen.KeyTypes).Draw(rt, "cert")
		var sizes []int
		if rapid.Bool().Draw(rt, "oneByte") {
			sizes = []int{1}
		} else {
			sizes = rapid.SliceOfN(rapid.IntRange(1, 20000), 1, 8).Draw(rt, "chunkSizes")
		}
		fromClient := rapid.SliceOfN(rapid.Byte(), 0, 40000).Draw(rt, "clientData")
		fromServer := rapid.SliceOfN(rapid.Byte(), 0, 40000).Draw(rt, "serverData")

		configs := func() (*engine.Config, *engine.Config) {
			c, s := clientConfig(t), serverConfig(t, kt)
			c.CipherSuites = []uint16{suite, handshake.TLS_AES_128_GCM_SHA256}
			c.NextProtos = []string{"a", "b"}
			s.CurvePreferences = serverGroups
			s.NextProtos = []string{"b"}
			return c, s
		}
		refClient, refServer := configs()
		ref := handshakePair(t, refClient, refServer)
		want := outcomeOf(ref.Client.ConnectionState())

		p, err := enginetest.NewPair(configs())
		if err != nil {
			rt.Fatal(err)
		}
		p.Split = splitter(sizes)
		if err := p.Handshake(); err != nil {
			rt.Fatal(err)
		}
		if got := outcomeOf(p.Client.ConnectionState()); got != want {
			rt.Fatalf("split handshake negotiated %+v, whole one %+v", got, want)
		}
		if got := outcomeOf(p.Server.ConnectionState()); got != want {
			rt.Fatalf("server negotiated %+v, want %+v", got, want)
		}
		if err := p.Write(p.Client, fromClient); err != nil {
			rt.Fatal(err)
		}
		if err := p.Write(p.Server, fromServer); err != nil {
			rt.Fatal(err)
		}
		p.Client.Close()
		p.Server.Close()
		if err := p.Run(); err != nil {
			rt.Fatal(err)
		}
		if !bytes.Equal(p.ServerGot.Bytes(), fromClient) || !bytes.Equal(p.ClientGot.Bytes(), fromServer) {
			rt.Fatalf("data differs: server got %d of %d bytes, client got %d of %d", p.ServerGot.Len(), len(fromClient), p.ClientGot.Len(), len(fromServer))
		}
	})
}
