package bench

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/transport"
)

// enginePair is securepair without adapters or goroutines: the benchmark
// moves ciphertext from one engine's output buffer into the other's input
// buffer (one copy, standing for the network) and reads cleartext where it
// was decrypted.
type enginePair struct{ client, server *engine.Engine }

func newEnginePair(c, s *engine.Config) (*enginePair, error) {
	client, err := engine.NewClient(c)
	if err != nil {
		return nil, err
	}
	server, err := engine.NewServer(s)
	if err != nil {
		return nil, err
	}
	return &enginePair{client, server}, nil
}

// move copies what from has for the peer into to's input; it stops early
// when to has no room until its cleartext is read.
func move(from, to *engine.Engine) (moved bool, err error) {
	for {
		out := from.Encrypted().Peek()
		if len(out) == 0 {
			return moved, nil
		}
		n := copy(to.Encrypted().Room(), out)
		from.Encrypted().Discard(n)
		if err := to.Encrypted().Commit(n); err != nil || n == 0 {
			return moved, err
		}
		moved = true
	}
}

// run moves bytes both ways until neither side has any to send.
func (p *enginePair) run() error {
	for {
		a, err := move(p.client, p.server)
		if err != nil {
			return err
		}
		b, err := move(p.server, p.client)
		if err != nil {
			return err
		}
		for _, e := range []*engine.Engine{p.client, p.server} {
			for _, ok := e.NextEvent(); ok; _, ok = e.NextEvent() {
			}
		}
		if !a && !b {
			return nil
		}
	}
}

// handshake runs the handshake, then one byte from server to client, so
// that the client has taken any session ticket.
func (p *enginePair) handshake() error {
	if err := p.run(); err != nil {
		return err
	}
	if !p.client.HandshakeComplete() || !p.server.HandshakeComplete() {
		return errors.New("handshake did not complete")
	}
	return p.send(p.server, p.client, []byte{1})
}

// send writes data on from and reads all of it on to.
func (p *enginePair) send(from, to *engine.Engine, data []byte) error {
	got := 0
	for off := 0; off < len(data) || got < len(data); {
		n, err := from.Cleartext().Write(data[off:])
		off += n
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			return err
		}
		if _, err := move(from, to); err != nil {
			return err
		}
		for {
			plain := to.Cleartext().Peek()
			if len(plain) == 0 {
				break
			}
			got += len(plain)
			to.Cleartext().Discard(len(plain))
		}
		if n == 0 && from.Encrypted().Pending() == 0 && got < len(data) && off == len(data) {
			return fmt.Errorf("stalled after %d of %d bytes", got, len(data))
		}
	}
	return nil
}

// stream is a connected client and server with the shape of a net.Conn.
type stream interface {
	io.ReadWriter
	Close() error
}

// streamImpl opens the client and server of one implementation over two
// connected net.Conns and runs their handshake.
type streamImpl struct {
	name string
	open func(v variant, c, s net.Conn) (client, server stream, err error)
}

var streamImpls = []streamImpl{
	{"securepair-conn", openConns},
	{"crypto-tls", openCryptoTLS},
}

// configCache keeps one pair of configurations per variant and
// implementation, so that resumption finds the last connection's ticket.
var configCache = map[string][2]any{}

// cachedConfigs returns impl's client and server configurations for v,
// made once by build.
func cachedConfigs[C any](impl string, v variant, build func(*certs) (C, C)) (client, server C) {
	key := impl + "/" + v.name
	if _, ok := configCache[key]; !ok {
		cc, sc := build(loadCerts())
		configCache[key] = [2]any{cc, sc}
	}
	cfgs := configCache[key]
	return cfgs[0].(C), cfgs[1].(C)
}

func openConns(v variant, c, s net.Conn) (stream, stream, error) {
	cc, sc := cachedConfigs("securepair", v, v.ours)
	client, err := adapters.Client(c, cc)
	if err != nil {
		return nil, nil, err
	}
	server, err := adapters.Server(s, sc)
	if err != nil {
		return nil, nil, err
	}
	err = handshakeBoth(func() error { return client.Handshake(context.Background()) },
		func() error { return server.Handshake(context.Background()) })
	return client, server, firstByte(client, server, err)
}

func openCryptoTLS(v variant, c, s net.Conn) (stream, stream, error) {
	cc, sc := cachedConfigs("crypto-tls", v, v.theirs)
	client, server := tls.Client(c, cc), tls.Server(s, sc)
	err := handshakeBoth(client.Handshake, server.Handshake)
	return client, server, firstByte(client, server, err)
}

// handshakeBoth runs the two handshakes, the server's in a goroutine.
func handshakeBoth(client, server func() error) error {
	errc := make(chan error, 1)
	go func() { errc <- server() }()
	err := client()
	if serr := <-errc; err == nil {
		err = serr
	}
	return err
}

// firstByte sends one byte from server to client, as enginePair.handshake.
func firstByte(client, server stream, err error) error {
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() { // a write on net.Pipe waits for the read
		_, err := server.Write([]byte{1})
		errc <- err
	}()
	_, err = io.ReadFull(client, make([]byte, 1))
	if werr := <-errc; err == nil {
		err = werr
	}
	return err
}

// pipeStreams opens an implementation over transport.Pipe, whose writes
// never wait for the reader.
func pipeStreams(im streamImpl, v variant) (client, server stream, err error) {
	c, s := transport.Pipe()
	return im.open(v, c, s)
}

// syncStreams opens an implementation over net.Pipe, whose writes wait for
// the reader: a writer cannot run ahead and grow a buffer without bound.
// Closing the pipe ends first keeps the streams' Close from waiting for
// their close_notify to be read.
func syncStreams(im streamImpl, v variant) (client, server stream, closeAll func(), err error) {
	c, s := net.Pipe()
	client, server, err = im.open(v, c, s)
	return client, server, func() {
		c.Close()
		s.Close()
		client.Close()
		server.Close()
	}, err
}
