// Package bench measures securepair against crypto/tls and against the
// floor (the same cryptographic primitives alone) in one process, so that
// benchstat can report the ratios:
//
//	go test ./bench -run '^$' -bench . -count 10 | tee out.txt
//	benchstat -col /impl out.txt
//
// bench/run.sh runs the whole matrix; docs/benchmarks.md has the figures.
// Sub-benchmarks are impl=securepair-engine (the sans-IO engine driven by
// hand in one goroutine, through its lent buffers), impl=securepair-conn
// (adapters.Conn, a client and a server goroutine), impl=crypto-tls
// (tls.Conn in the same shape) and impl=floor (the primitives alone).
package bench

import (
	"crypto/tls"
	"sync"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

const host = "bench.test"

// certs are one CA (ECDSA P-256) and a leaf of each key type the matrix uses.
type certs struct {
	ca   *certgen.CA
	leaf map[certgen.KeyType]tls.Certificate
}

var (
	certsOnce sync.Once
	theCerts  *certs
)

func loadCerts() *certs {
	certsOnce.Do(func() {
		ca, err := certgen.NewCA("bench CA")
		if err != nil {
			panic(err)
		}
		c := &certs{ca: ca, leaf: map[certgen.KeyType]tls.Certificate{}}
		for _, kt := range []certgen.KeyType{certgen.ECDSAP256, certgen.RSA2048} {
			if c.leaf[kt], err = ca.Leaf(kt, []string{host}, certgen.LeafOptions{}); err != nil {
				panic(err)
			}
		}
		theCerts = c
	})
	return theCerts
}

func epoch() time.Time { return certgen.Epoch }

// variant is one configuration, made the same for securepair and crypto/tls.
type variant struct {
	name    string
	version uint16
	suite   uint16 // a TLS 1.3 suite, or the TLS 1.2 suite
	group   tls.CurveID
	key     certgen.KeyType
	resume  bool // the client resumes with a ticket from the last connection
}

// tls13 is the default variant: TLS 1.3, X25519, ECDSA P-256, AES-128-GCM.
var tls13 = variant{name: "TLS13-X25519-ECDSA", version: tls.VersionTLS13, suite: tls.TLS_AES_128_GCM_SHA256,
	group: tls.X25519, key: certgen.ECDSAP256}

func (v variant) withSuite(name string, suite uint16) variant {
	v.name, v.suite = name, suite
	return v
}

// groups are the groups offered: in TLS 1.2 an ECDSA certificate's curve
// must be among them too (RFC 8422 section 5.1), after the one chosen.
func (v variant) groups() []tls.CurveID {
	if v.version == tls.VersionTLS12 && v.group != tls.CurveP256 {
		return []tls.CurveID{v.group, tls.CurveP256}
	}
	return []tls.CurveID{v.group}
}

func (v variant) ours(c *certs) (client, server *engine.Config) {
	client = &engine.Config{RootCAs: c.ca.Pool, ServerName: host, Time: epoch,
		MinVersion: v.version, MaxVersion: v.version,
		CipherSuites: []uint16{v.suite}, CurvePreferences: v.groups()}
	server = &engine.Config{Certificates: []tls.Certificate{c.leaf[v.key]}, Time: epoch,
		MinVersion: v.version, MaxVersion: v.version,
		CipherSuites: []uint16{v.suite}, CurvePreferences: v.groups()}
	if v.resume {
		client.ClientSessionCache = engine.NewClientSessionCache(64)
		server.TicketKeys = engine.NewTicketKeys(0, 0)
	}
	return client, server
}

func (v variant) theirs(c *certs) (client, server *tls.Config) {
	client = &tls.Config{RootCAs: c.ca.Pool, ServerName: host, Time: epoch,
		MinVersion: v.version, MaxVersion: v.version, CurvePreferences: v.groups()}
	server = &tls.Config{Certificates: []tls.Certificate{c.leaf[v.key]}, Time: epoch,
		MinVersion: v.version, MaxVersion: v.version, CurvePreferences: v.groups(),
		SessionTicketsDisabled: !v.resume}
	if v.version == tls.VersionTLS12 {
		client.CipherSuites = []uint16{v.suite}
		server.CipherSuites = []uint16{v.suite}
	} else {
		// crypto/tls has no TLS 1.3 suite setting: its order puts AES-GCM
		// first on hardware with AES instructions, and the server follows
		// a ChaCha20-first client.
		client.CipherSuites = nil
	}
	if v.resume {
		client.ClientSessionCache = tls.NewLRUClientSessionCache(64)
	}
	return client, server
}
