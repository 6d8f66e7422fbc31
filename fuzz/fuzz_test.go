// Package fuzz holds the go test -fuzz targets: the record deframer, every
// handshake message decoder, and whole engines fed arbitrary bytes. Seeds come
// from the corpus under testdata/fuzz (made by gen_corpus.go from RFC 8448's
// messages and real hellos) and from f.Add below.
package fuzz

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// FuzzDeframer: any byte stream, split anywhere, yields records or a typed
// error, and the deframer never holds more than its bound.
func FuzzDeframer(f *testing.F) {
	f.Add([]byte{22, 3, 1, 0, 1, 1}, uint8(1))
	f.Add([]byte{23, 3, 3, 0x40, 0x00}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, split uint8) {
		var d record.Deframer
		step := int(split%64) + 1
		for len(data) > 0 {
			n := d.Write(data[:min(step, len(data))], true)
			data = data[n:]
			if d.Buffered() > record.BufferSize {
				t.Fatalf("deframer holds %d bytes", d.Buffered())
			}
			for {
				rec, ok, err := d.Next()
				if err != nil {
					var ae *record.AlertError
					if !errors.As(err, &ae) {
						t.Fatalf("untyped error %v", err)
					}
					return
				}
				if !ok {
					break
				}
				if len(rec.Body) > record.MaxCiphertext {
					t.Fatalf("record of %d bytes passed", len(rec.Body))
				}
			}
			if n == 0 && d.Buffered() < record.HeaderLen {
				t.Fatal("deframer took nothing while nearly empty")
			}
		}
	})
}

// fuzzDecoder checks a decoder never panics, and that whatever it accepts
// re-encodes to something it accepts again with the same encoding.
func fuzzDecoder(f *testing.F, typ handshake.MessageType, fresh func() handshake.Message) {
	f.Add([]byte{byte(typ), 0, 0, 0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := fresh()
		if err := handshake.Unmarshal(raw, m); err != nil {
			var ae *record.AlertError
			if !errors.As(err, &ae) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		enc := handshake.Marshal(m)
		m2 := fresh()
		if err := handshake.Unmarshal(enc, m2); err != nil {
			t.Fatalf("re-encoding does not decode: %v", err)
		}
		if !bytes.Equal(handshake.Marshal(m2), enc) {
			t.Fatal("encoding is not stable")
		}
	})
}

func FuzzClientHello(f *testing.F) {
	fuzzDecoder(f, handshake.TypeClientHello, func() handshake.Message { return new(handshake.ClientHello) })
}

func FuzzServerHello(f *testing.F) {
	fuzzDecoder(f, handshake.TypeServerHello, func() handshake.Message { return new(handshake.ServerHello) })
}

func FuzzEncryptedExtensions(f *testing.F) {
	fuzzDecoder(f, handshake.TypeEncryptedExtensions, func() handshake.Message { return new(handshake.EncryptedExtensions) })
}

func FuzzCertificate(f *testing.F) {
	fuzzDecoder(f, handshake.TypeCertificate, func() handshake.Message { return new(handshake.Certificate) })
}

func FuzzCompressedCertificate(f *testing.F) {
	f.Add([]byte{25, 0, 0, 9, 0, 2, 0, 1, 0, 0, 0, 2, 0xab})
	fuzzDecoder(f, handshake.TypeCompressedCertificate, func() handshake.Message { return new(handshake.CompressedCertificate) })
}

func FuzzCertificateRequest(f *testing.F) {
	fuzzDecoder(f, handshake.TypeCertificateRequest, func() handshake.Message { return new(handshake.CertificateRequest) })
}

func FuzzCertificateVerify(f *testing.F) {
	fuzzDecoder(f, handshake.TypeCertificateVerify, func() handshake.Message { return new(handshake.CertificateVerify) })
}

func FuzzFinished(f *testing.F) {
	fuzzDecoder(f, handshake.TypeFinished, func() handshake.Message { return new(handshake.Finished) })
}

func FuzzNewSessionTicket(f *testing.F) {
	fuzzDecoder(f, handshake.TypeNewSessionTicket, func() handshake.Message { return new(handshake.NewSessionTicket) })
}

func FuzzKeyUpdate(f *testing.F) {
	fuzzDecoder(f, handshake.TypeKeyUpdate, func() handshake.Message { return new(handshake.KeyUpdate) })
}

var (
	certOnce sync.Once
	cert     tls.Certificate
)

// serverCert is a throwaway self-signed ECDSA certificate.
func serverCert(t testing.TB) tls.Certificate {
	certOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fuzz.test"},
			DNSNames: []string{"fuzz.test"}, NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			t.Fatal(err)
		}
		cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	})
	return cert
}

// feedEngine writes data into e in chunks of step bytes and checks the
// engine's promises: typed errors, sticky once failed, bounded memory.
func feedEngine(t *testing.T, e *engine.Engine, data []byte, step int) {
	out := make([]byte, 4096)
	for len(data) > 0 {
		n, err := e.Encrypted().Write(data[:min(step, len(data))])
		data = data[n:]
		for {
			if k, _ := e.Encrypted().Read(out); k == 0 {
				break
			}
		}
		for {
			if k, _ := e.Cleartext().Read(out); k == 0 {
				break
			}
		}
		for _, ok := e.NextEvent(); ok; _, ok = e.NextEvent() {
		}
		if held := engine.HeldBufferBytes(e); held > 4*record.BufferSize+engine.DefaultMaxHandshakeMessage {
			t.Fatalf("engine holds %d bytes", held)
		}
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			var ae *engine.AlertError
			if !errors.As(err, &ae) {
				t.Fatalf("untyped error %v", err)
			}
			if _, again := e.Encrypted().Write([]byte{0}); again != err {
				t.Fatalf("error not sticky: %v then %v", err, again)
			}
			return
		}
	}
}

// FuzzServerEngine: a server engine fed arbitrary bytes.
func FuzzServerEngine(f *testing.F) {
	f.Add([]byte{22, 3, 1, 0, 4, 1, 0, 0, 0}, uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, step uint16) {
		e, err := engine.NewServer(&engine.Config{Certificates: []tls.Certificate{serverCert(t)}})
		if err != nil {
			t.Fatal(err)
		}
		feedEngine(t, e, data, int(step)%4096+1)
	})
}

// FuzzClientEngine: a client engine (after its ClientHello) fed arbitrary bytes.
func FuzzClientEngine(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 2, 0, 0, 0}, uint16(7))
	f.Fuzz(func(t *testing.T, data []byte, step uint16) {
		e, err := engine.NewClient(&engine.Config{ServerName: "fuzz.test", InsecureAcceptUnauthorized: true})
		if err != nil {
			t.Fatal(err)
		}
		feedEngine(t, e, data, int(step)%4096+1)
	})
}

func FuzzEndOfEarlyData(f *testing.F) {
	fuzzDecoder(f, handshake.TypeEndOfEarlyData, func() handshake.Message { return new(handshake.EndOfEarlyData) })
}

func FuzzServerKeyExchange(f *testing.F) {
	fuzzDecoder(f, handshake.TypeServerKeyExchange, func() handshake.Message { return new(handshake.ServerKeyExchange) })
}

func FuzzClientKeyExchange(f *testing.F) {
	fuzzDecoder(f, handshake.TypeClientKeyExchange, func() handshake.Message { return new(handshake.ClientKeyExchange) })
}

func FuzzCertificate12(f *testing.F) {
	fuzzDecoder(f, handshake.TypeCertificate, func() handshake.Message { return new(handshake.Certificate12) })
}

func FuzzCertificateRequest12(f *testing.F) {
	fuzzDecoder(f, handshake.TypeCertificateRequest, func() handshake.Message { return new(handshake.CertificateRequest12) })
}

func FuzzNextProtocol(f *testing.F) {
	fuzzDecoder(f, handshake.TypeNextProtocol, func() handshake.Message { return new(handshake.NextProtocol) })
}

func FuzzNewSessionTicket12(f *testing.F) {
	fuzzDecoder(f, handshake.TypeNewSessionTicket, func() handshake.Message { return new(handshake.NewSessionTicket12) })
}

var (
	pairOnce sync.Once
	pairCA   *x509.CertPool
	pairCert tls.Certificate
)

// pairConfigs are a client and server that trust each other, at TLS 1.3 or 1.2.
func pairConfigs(t testing.TB, tls12 bool) (*engine.Config, *engine.Config) {
	pairOnce.Do(func() {
		cert := serverCert(t)
		leaf, _ := x509.ParseCertificate(cert.Certificate[0])
		pairCA = x509.NewCertPool()
		pairCA.AddCert(leaf)
		pairCert = cert
	})
	c := &engine.Config{ServerName: "fuzz.test", RootCAs: pairCA, NPNProtocols: []string{"a"}}
	s := &engine.Config{Certificates: []tls.Certificate{pairCert}, NPNProtocols: []string{"a"},
		ClientAuth: tls.RequestClientCert, TicketKeys: engine.NewTicketKeys(0, 0)}
	if tls12 {
		c.MaxVersion = tls.VersionTLS12
	}
	return c, s
}

// FuzzPairTamper: a client and a server talk while bytes in flight are
// altered (a byte XORed at a chosen offset of a chosen flight). Whatever is
// changed, neither side panics, errors are typed, and a handshake that
// completes delivers exactly what was sent. TLS 1.2's plaintext flights make
// this reach deep into certificate and key exchange parsing.
func FuzzPairTamper(f *testing.F) {
	f.Add(false, uint8(0), uint16(10), uint8(1))
	f.Add(true, uint8(1), uint16(200), uint8(0x80))
	f.Add(true, uint8(0), uint16(60), uint8(0xff))
	f.Fuzz(func(t *testing.T, tls12 bool, flight uint8, offset uint16, mask uint8) {
		c, s := pairConfigs(t, tls12)
		p, err := enginetest.NewPair(c, s)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		p.Split = func(_ bool, data []byte) [][]byte {
			if n == int(flight%6) && int(offset) < len(data) {
				data[offset] ^= mask
			}
			n++
			return [][]byte{data}
		}
		err = p.Handshake()
		for _, e := range []*engine.Engine{p.Client, p.Server} {
			if e.Err() != nil {
				var ae *engine.AlertError
				if !errors.As(e.Err(), &ae) {
					t.Fatalf("untyped error %v", e.Err())
				}
			}
		}
		if err != nil {
			return
		}
		if err := p.Write(p.Client, []byte("after tampering")); err != nil {
			return // a tampered later record: a typed failure, checked above
		}
		if got := p.ServerGot.String(); got != "" && got != "after tampering" {
			t.Fatalf("server got %q", got)
		}
	})
}
