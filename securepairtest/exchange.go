package securepairtest

import (
	"bytes"
	"io"
	"testing"
)

// Exchange puts a request through TLS at engine speed (no sockets, no
// goroutines): a pair made from seed completes its handshake, the client
// sends request, serve (the user's server application) gets what the
// server read and writes its answer, and Exchange returns what the client
// read of it. In a fuzz target it puts the TLS layer in the loop of the
// user's protocol:
//
//	f.Fuzz(func(t *testing.T, request []byte) { securepairtest.Exchange(t, 1, request, serve) })
//
// Like NewPair it needs a *testing.T. A TLS failure fails t.
func Exchange(t *testing.T, seed uint64, request []byte, serve func(received []byte, reply io.Writer)) []byte {
	t.Helper()
	answer, err := NewPair(t, seed).Exchange(request, serve)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

// Exchange is the package's Exchange on a pair the caller made (MakePair,
// outside a test): the handshake, request, serve, and the answer as the
// client read it.
func (p *Pair) Exchange(request []byte, serve func(received []byte, reply io.Writer)) ([]byte, error) {
	if err := p.Handshake(); err != nil {
		return nil, err
	}
	if err := p.Write(p.Client, request); err != nil {
		return nil, err
	}
	var reply bytes.Buffer
	serve(bytes.Clone(p.ServerGot.Bytes()), &reply)
	if err := p.Write(p.Server, reply.Bytes()); err != nil {
		return nil, err
	}
	return bytes.Clone(p.ClientGot.Bytes()), nil
}
