package engine_test

import (
	"bytes"
	"crypto/tls"
	mrand "math/rand/v2"
	"testing"

	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// With Config.Rand and Config.Time fixed, a handshake and the data after it
// replay byte for byte. (Ed25519 and X25519 are used because Go's ECDSA
// signatures and ML-KEM encapsulation draw from the system's randomness.)
func TestDeterministicReplay(t *testing.T) {
	run := func() []byte {
		c, s := clientConfig(t), serverConfig(t, certgen.Ed25519)
		c.Rand = mrand.NewChaCha8([32]byte{1})
		s.Rand = mrand.NewChaCha8([32]byte{2})
		c.CurvePreferences = []tls.CurveID{tls.X25519}
		p, err := enginetest.NewPair(c, s)
		if err != nil {
			t.Fatal(err)
		}
		var wire bytes.Buffer
		p.Split = func(_ bool, data []byte) [][]byte {
			wire.Write(data)
			return [][]byte{data}
		}
		if err := p.Handshake(); err != nil {
			t.Fatal(err)
		}
		if err := p.Write(p.Client, []byte("replayed")); err != nil {
			t.Fatal(err)
		}
		return wire.Bytes()
	}
	first, second := run(), run()
	if len(first) < 500 || !bytes.Equal(first, second) {
		t.Fatalf("two runs with the same Rand differ (%d and %d bytes on the wire)", len(first), len(second))
	}
}
