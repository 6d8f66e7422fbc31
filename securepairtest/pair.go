// Package securepairtest is the kit for testing code that speaks TLS
// through securepair the way pure code is tested: no network, no clock,
// seeded and replayable, with faults on demand.
//
//   - NewPair: a client and a server engine joined in memory, made from a
//     seed: the same seed gives the same bytes on every run and machine,
//     with every certificate type and key exchange (ML-KEM included).
//   - NewConnPair: the same as two adapters.Conns over an in-memory pipe.
//   - FaultConn: a net.Conn that splits, delays, stalls, drops, flips bits,
//     truncates or injects, scripted or drawn by rapid.
//   - Record and Replay: golden transcripts, with a decoded diff of the
//     first message that changed.
//   - Generators for rapid, and FuzzExchange for go test -fuzz.
//
// NewPair, NewConnPair, Replay and Exchange need a *testing.T (go test):
// they make Go's own cryptographic randomness deterministic for the test
// with testing/cryptotest.SetGlobalRandom, which also means their tests
// cannot run in parallel. MakePair, MakeConnPair, Transcript.ReplayOn and
// Pair.Exchange are the same without a test, deterministic where Go's
// randomness is not drawn on (Ed25519, X25519). The rest works anywhere.
// docs/testing.md has the patterns.
package securepairtest

import (
	"crypto/tls"
	mrand "math/rand/v2"
	"sync"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// Host is the name the generated server certificates are for, and the
// client's ServerName.
const Host = "pair.test"

// Option changes what NewPair makes.
type Option func(*options)

type options struct {
	keyType    certgen.KeyType
	group      tls.CurveID
	version    uint16
	clientAuth tls.ClientAuthType
	clientCert bool
	configure  func(client, server *engine.Config)
}

// WithKeyType picks the server's (and client's) certificate key: ECDSA
// P-256 by default.
func WithKeyType(kt certgen.KeyType) Option { return func(o *options) { o.keyType = kt } }

// WithGroup picks the key exchange group the client prefers (X25519 by
// default; tls.X25519MLKEM768 works too); P-256 is offered after it.
func WithGroup(g tls.CurveID) Option { return func(o *options) { o.group = g } }

// WithVersion pins both sides to one TLS version.
func WithVersion(v uint16) Option { return func(o *options) { o.version = v } }

// WithClientCertificate makes the server require a client certificate and
// the client present one from the same CA.
func WithClientCertificate() Option { return WithClientAuth(tls.RequireAndVerifyClientCert, true) }

// WithClientAuth sets the server's client authentication mode, and whether
// the client has a certificate (from the same CA) to present.
func WithClientAuth(mode tls.ClientAuthType, clientCert bool) Option {
	return func(o *options) { o.clientAuth, o.clientCert = mode, clientCert }
}

// WithConfig changes the two Configs last, before the engines are made.
func WithConfig(f func(client, server *engine.Config)) Option {
	return func(o *options) { o.configure = f }
}

// Chunk is one batch of bytes that went over the wire, or (App) one
// application write of cleartext.
type Chunk struct {
	FromClient bool
	App        bool
	Data       []byte
}

// Pair is a client and a server engine made from a seed and joined in
// memory (enginetest.Pair: Step, Run, Handshake, Write, ClientGot,
// ServerGot). Transcript records every batch in flight.
type Pair struct {
	*enginetest.Pair
	Seed                       uint64
	ClientConfig, ServerConfig *engine.Config
	Certs                      *Certs
	Transcript                 []Chunk
}

// NewPair makes a Pair from seed, its handshake not yet run. It fixes
// Go's cryptographic randomness for the rest of t (see the package doc).
func NewPair(t *testing.T, seed uint64, opts ...Option) *Pair {
	t.Helper()
	fixRandomness(t, seed, opts)
	p, err := MakePair(seed, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// MakePair is NewPair without a test: it works anywhere (benchmarks,
// examples, programs), and leaves Go's own randomness alone, so its bytes
// repeat only where nothing draws on it: Ed25519 certificates
// (WithKeyType(certgen.Ed25519)) and X25519, with the certificates of a
// seed made once per process.
func MakePair(seed uint64, opts ...Option) (*Pair, error) {
	client, server, certs, err := seededConfigs(seed, opts)
	if err != nil {
		return nil, err
	}
	p, err := enginetest.NewPair(client, server)
	if err != nil {
		return nil, err
	}
	pair := &Pair{Pair: p, Seed: seed, ClientConfig: client, ServerConfig: server, Certs: certs}
	p.Split = func(fromClient bool, data []byte) [][]byte {
		pair.Transcript = append(pair.Transcript, Chunk{FromClient: fromClient, Data: data})
		return [][]byte{data}
	}
	return pair, nil
}

// fixRandomness makes Go's cryptographic randomness deterministic for t:
// the seed's certificates are made under it (once per process), then it
// starts again, so the handshake draws the same bytes whether or not the
// certificates were just made.
func fixRandomness(t *testing.T, seed uint64, opts []Option) {
	t.Helper()
	o := applyOptions(opts)
	if _, ok := certsCache.Load(certsKey{seed, o.keyType}); !ok {
		cryptotest.SetGlobalRandom(t, seed)
		if _, err := seededCerts(seed, o.keyType); err != nil {
			t.Fatal(err)
		}
	}
	cryptotest.SetGlobalRandom(t, seed)
}

func applyOptions(opts []Option) options {
	o := options{keyType: certgen.ECDSAP256, group: tls.X25519}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// seededConfigs makes the certificates and the two Configs from seed.
func seededConfigs(seed uint64, opts []Option) (client, server *engine.Config, certs *Certs, err error) {
	o := applyOptions(opts)
	if certs, err = seededCerts(seed, o.keyType); err != nil {
		return nil, nil, nil, err
	}
	client, server = configs(seed, certs, o)
	return client, server, certs, nil
}

// certsCache keeps the certificates of each seed and key type: making them
// is most of a pair's cost (fuzz targets make thousands), and under
// SetGlobalRandom they are the same every time anyway.
var certsCache sync.Map // certsKey → *Certs

type certsKey struct {
	seed uint64
	kt   certgen.KeyType
}

func seededCerts(seed uint64, kt certgen.KeyType) (*Certs, error) {
	if c, ok := certsCache.Load(certsKey{seed, kt}); ok {
		return c.(*Certs), nil
	}
	certs, err := NewCerts(kt)
	if err != nil {
		return nil, err
	}
	actual, _ := certsCache.LoadOrStore(certsKey{seed, kt}, certs)
	return actual.(*Certs), nil
}

// configs are the two sides' Configs: randomness from the seed, the clock
// at certgen.Epoch.
func configs(seed uint64, certs *Certs, o options) (client, server *engine.Config) {
	now := func() time.Time { return certgen.Epoch }
	client = &engine.Config{RootCAs: certs.CA.Pool, ServerName: Host, Time: now,
		Rand: mrand.NewChaCha8(seedBytes(seed, 'c')), CurvePreferences: groups(o.group),
		MinVersion: o.version, MaxVersion: o.version}
	server = &engine.Config{Certificates: []tls.Certificate{certs.Server}, Time: now,
		Rand: mrand.NewChaCha8(seedBytes(seed, 's')), MinVersion: o.version, MaxVersion: o.version}
	server.ClientAuth, server.ClientCAs = o.clientAuth, certs.CA.Pool
	if o.clientCert {
		client.Certificates = []tls.Certificate{certs.Client}
	}
	if o.configure != nil {
		o.configure(client, server)
	}
	return client, server
}

// groups are the client's: the chosen one, and P-256, which a TLS 1.2
// server needs listed to use a P-256 ECDSA certificate (RFC 8422 section
// 5.1.1).
func groups(g tls.CurveID) []tls.CurveID {
	if g == tls.CurveP256 {
		return []tls.CurveID{g}
	}
	return []tls.CurveID{g, tls.CurveP256}
}

// seedBytes is a ChaCha8 seed for one side.
func seedBytes(seed uint64, side byte) [32]byte {
	var b [32]byte
	for i := range 8 {
		b[i] = byte(seed >> (8 * i))
	}
	b[8] = side
	return b
}

// Wire is the bytes that went over the wire, in order, both directions.
func (p *Pair) Wire() []byte {
	var out []byte
	for _, c := range p.Transcript {
		if !c.App {
			out = append(out, c.Data...)
		}
	}
	return out
}
