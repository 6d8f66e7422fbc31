package machine

import (
	"bytes"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

var allCompression = []uint16{CertCompressionZlib, CertCompressionBrotli, CertCompressionZstd}

// Our client and server with each algorithm, and a Chrome-shaped client
// (which offers brotli) against our compressing server: the server sends a
// CompressedCertificate and the handshake completes (RFC 8879).
func TestCertificateCompression(t *testing.T) {
	chrome := utls.HelloChrome_Auto
	cases := []struct {
		name  string
		setup func(c *Config)
		want  uint16
	}{
		{"zlib", func(c *Config) { c.CertCompression = []uint16{CertCompressionZlib} }, CertCompressionZlib},
		{"brotli", func(c *Config) { c.CertCompression = []uint16{CertCompressionBrotli} }, CertCompressionBrotli},
		{"zstd", func(c *Config) { c.CertCompression = []uint16{CertCompressionZstd} }, CertCompressionZstd},
		{"Chrome shape", func(c *Config) { c.ClientHelloID = &chrome }, CertCompressionBrotli},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, certgen.RSA2048)
			c.MaxHandshakeMessage, s.CertCompression = 64<<10, allCompression
			tc.setup(c)
			p := handshakeOK(t, c, s)
			checkAgree(t, p)
			var got *handshake.CompressedCertificate
			for _, f := range p.server.out.sent {
				if !f.ccs && handshake.MessageType(f.msg[0]) == handshake.TypeCompressedCertificate {
					got = new(handshake.CompressedCertificate)
					handshake.Unmarshal(f.msg, got)
				}
			}
			if got == nil || got.Algorithm != tc.want || len(got.Compressed) >= int(got.UncompressedLength) {
				t.Fatalf("compressed certificate %+v", got)
			}
		})
	}
	// Without the server's opt-in, no compression.
	c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
	c.CertCompression = allCompression
	for _, f := range handshakeOK(t, c, s).server.out.sent {
		if !f.ccs && handshake.MessageType(f.msg[0]) == handshake.TypeCompressedCertificate {
			t.Fatal("a server without CertCompression compressed")
		}
	}
}

// What a receiver must refuse with bad_certificate (RFC 8879 section 4): an
// algorithm it did not offer, a length over the handshake message limit
// (checked before decompressing), a length that does not match, data that
// does not decompress, and a bomb, cut at the announced length.
func TestDecompressRefuses(t *testing.T) {
	cert := handshake.Marshal(&handshake.Certificate{Entries: []handshake.CertificateEntry{{Data: bytes.Repeat([]byte("cert"), 300)}}})
	body := cert[handshake.HeaderLen:]
	packed := func(alg uint16, data []byte) []byte {
		out, err := deflate(alg, data)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, alg := range allCompression {
		good := &handshake.CompressedCertificate{Algorithm: alg, UncompressedLength: uint32(len(body)), Compressed: packed(alg, body)}
		back, err := decompressCertificate(good, allCompression, 64<<10)
		if err != nil || !bytes.Equal(back, cert) {
			t.Fatalf("algorithm %d: round trip: %v", alg, err)
		}
		bomb := packed(alg, make([]byte, 8<<20))
		cases := []struct {
			name string
			cc   *handshake.CompressedCertificate
		}{
			{"algorithm not offered", good},
			{"length over the limit", &handshake.CompressedCertificate{Algorithm: alg, UncompressedLength: 1 << 20, Compressed: good.Compressed}},
			{"length too short", &handshake.CompressedCertificate{Algorithm: alg, UncompressedLength: uint32(len(body) - 1), Compressed: good.Compressed}},
			{"length too long", &handshake.CompressedCertificate{Algorithm: alg, UncompressedLength: uint32(len(body) + 1), Compressed: good.Compressed}},
			{"not compressed data", &handshake.CompressedCertificate{Algorithm: alg, UncompressedLength: 100, Compressed: []byte("garbage!")}},
			{"bomb", &handshake.CompressedCertificate{Algorithm: alg, UncompressedLength: 1000, Compressed: bomb}},
		}
		for _, tc := range cases {
			offered := allCompression
			if tc.name == "algorithm not offered" {
				offered = []uint16{alg%3 + 1}
			}
			_, err := decompressCertificate(tc.cc, offered, 64<<10)
			wantAlert(t, err, record.AlertBadCertificate)
		}
	}
}

// A CompressedCertificate the hello did not ask for is unexpected_message;
// a malformed one is decode_error.
func TestCompressedCertificateUnasked(t *testing.T) {
	c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
	s.CertCompression = allCompression
	p, _ := newMachinePair(t, c, s) // our default hello offers no compression
	p.tamper = func(fromClient bool, msg []byte) []byte {
		if fromClient || handshake.MessageType(msg[0]) != handshake.TypeCertificate {
			return msg
		}
		cc, _ := compressCertificate(msg, allCompression, allCompression)
		return handshake.Marshal(cc)
	}
	wantAlert(t, p.run(), record.AlertUnexpectedMessage)
	err := handshake.Unmarshal([]byte{25, 0, 0, 5, 0, 1, 0, 0, 9}, new(handshake.CompressedCertificate))
	wantAlert(t, err, record.AlertDecodeError)
}

// FuzzDecompressCertificate: whatever the bytes, decompression never
// panics, never returns more than the limit and fails only with
// bad_certificate.
func FuzzDecompressCertificate(f *testing.F) {
	for _, alg := range allCompression {
		data, _ := deflate(alg, bytes.Repeat([]byte{1, 2, 3}, 100))
		f.Add(alg, uint32(300), data)
	}
	f.Fuzz(func(t *testing.T, alg uint16, n uint32, data []byte) {
		out, err := decompressCertificate(&handshake.CompressedCertificate{Algorithm: alg, UncompressedLength: n, Compressed: data}, allCompression, 16<<10)
		if err != nil {
			wantAlert(t, err, record.AlertBadCertificate)
			return
		}
		if len(out) != int(n)+handshake.HeaderLen || len(out) > 16<<10+handshake.HeaderLen {
			t.Fatalf("%d bytes out for %d announced", len(out), n)
		}
	})
}
