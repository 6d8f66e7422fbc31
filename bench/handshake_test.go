package bench

import (
	"crypto/tls"
	"testing"

	"github.com/securepair/securepair/securepairtest/certgen"
)

// handshakeVariants are the columns of the handshake matrix.
var handshakeVariants = []variant{
	tls13,
	{name: "TLS13-X25519MLKEM768-ECDSA", version: tls.VersionTLS13, suite: tls.TLS_AES_128_GCM_SHA256,
		group: tls.X25519MLKEM768, key: certgen.ECDSAP256},
	{name: "TLS13-X25519-RSA2048", version: tls.VersionTLS13, suite: tls.TLS_AES_128_GCM_SHA256,
		group: tls.X25519, key: certgen.RSA2048},
	{name: "TLS12-X25519-ECDSA", version: tls.VersionTLS12, suite: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		group: tls.X25519, key: certgen.ECDSAP256},
	{name: "TLS13-Resumption", version: tls.VersionTLS13, suite: tls.TLS_AES_128_GCM_SHA256,
		group: tls.X25519, key: certgen.ECDSAP256, resume: true},
}

// BenchmarkHandshake: one op is a whole handshake, client and server, then
// one byte from server to client (so that the client has taken its ticket).
// With resumption, each handshake resumes with the ticket of the one
// before, as a returning client does.
func BenchmarkHandshake(b *testing.B) {
	c := loadCerts()
	for _, v := range handshakeVariants {
		b.Run(v.name, func(b *testing.B) {
			b.Run("impl=securepair-engine", func(b *testing.B) {
				cc, sc := v.ours(c)
				b.ReportAllocs()
				for b.Loop() {
					p, err := newEnginePair(cc, sc)
					if err == nil {
						err = p.handshake()
					}
					if err != nil {
						b.Fatal(err)
					}
					if v.resume && !p.client.ConnectionState().DidResume && b.N > 1 {
						b.Log("not resumed") // the first one cannot
					}
				}
			})
			for _, im := range streamImpls {
				b.Run("impl="+im.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						client, server, err := pipeStreams(im, v)
						if err != nil {
							b.Fatal(err)
						}
						client.Close()
						server.Close()
					}
				})
			}
			b.Run("impl=floor", func(b *testing.B) {
				op := handshakeFloor(v, c)
				b.ReportAllocs()
				for b.Loop() {
					if err := op(); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
