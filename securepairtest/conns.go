package securepairtest

import (
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/transport"
)

// ConnPair is a client and a server adapters.Conn from a seed, joined by
// an in-memory pipe through a FaultConn on each side (no fault until one
// is added).
type ConnPair struct {
	Client, Server             *adapters.Conn
	ClientWrites, ServerWrites *FaultConn // what each side sends goes through these
	Certs                      *Certs
}

// NewConnPair makes a ConnPair from seed; the handshake runs on first use
// (or Handshake). It fixes Go's cryptographic randomness for the rest of t,
// as NewPair does.
func NewConnPair(t *testing.T, seed uint64, opts ...Option) *ConnPair {
	t.Helper()
	fixRandomness(t, seed, opts)
	cp, err := MakeConnPair(seed, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cp.Client.Close()
		cp.Server.Close()
	})
	return cp
}

// MakeConnPair is NewConnPair without a test (see MakePair); close the
// conns when done.
func MakeConnPair(seed uint64, opts ...Option) (*ConnPair, error) {
	client, server, certs, err := seededConfigs(seed, opts)
	if err != nil {
		return nil, err
	}
	a, b := transport.Pipe()
	cp := &ConnPair{ClientWrites: NewFaultConn(a), ServerWrites: NewFaultConn(b), Certs: certs}
	if cp.Client, err = adapters.Client(cp.ClientWrites, client); err != nil {
		return nil, err
	}
	if cp.Server, err = adapters.Server(cp.ServerWrites, server); err != nil {
		return nil, err
	}
	return cp, nil
}
