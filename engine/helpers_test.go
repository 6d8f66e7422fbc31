package engine_test

import (
	"crypto/tls"
	"sync"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

const testHost = "server.test"

var (
	fixtureOnce sync.Once
	fixtureCA   *certgen.CA
	fixtureErr  error
	leaves      = map[certgen.KeyType]tls.Certificate{}
)

// fixtures returns a shared CA and one server leaf per key type.
func fixtures(t testing.TB) (*certgen.CA, map[certgen.KeyType]tls.Certificate) {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureCA, fixtureErr = certgen.NewCA("securepair test CA")
		if fixtureErr != nil {
			return
		}
		for _, kt := range certgen.KeyTypes {
			var leaf tls.Certificate
			leaf, fixtureErr = fixtureCA.Leaf(kt, []string{testHost}, certgen.LeafOptions{})
			if fixtureErr != nil {
				return
			}
			leaves[kt] = leaf
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureCA, leaves
}

func fixedTime() time.Time { return certgen.Epoch }

// clientConfig is a verifying client config trusting the fixture CA.
func clientConfig(t testing.TB) *engine.Config {
	ca, _ := fixtures(t)
	return &engine.Config{RootCAs: ca.Pool, ServerName: testHost, Time: fixedTime}
}

// serverConfig serves the leaf of key type kt.
func serverConfig(t testing.TB, kt certgen.KeyType) *engine.Config {
	_, l := fixtures(t)
	return &engine.Config{Certificates: []tls.Certificate{l[kt]}, Time: fixedTime}
}

// handshakePair makes a pair and runs its handshake.
func handshakePair(t testing.TB, c, s *engine.Config) *enginetest.Pair {
	t.Helper()
	p, err := enginetest.NewPair(c, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	return p
}
