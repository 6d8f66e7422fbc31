//go:build ignore

// gen_corpus writes the fuzz seed corpus under fuzz/testdata/fuzz from
// RFC 8448's messages and real client hellos. Run from the repository root:
//
//	go run fuzz/gen_corpus.go
package main

import (
	"crypto/tls"
	"fmt"
	"log"
	"os"
	"path/filepath"

	utls "github.com/refraction-networking/utls"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/internal/rfc8448"
)

func main() {
	tr, err := rfc8448.Load("testdata/rfc8448/section3-simple-1rtt.txt")
	if err != nil {
		log.Fatal(err)
	}
	v := tr.MustValue
	chRecord := v("{client}  send handshake record", 0, "complete record")
	shRecord := v("{server}  send handshake record", 0, "complete record")
	flight := v("{server}  send handshake record", 1, "complete record")

	hellos := map[string][]byte{"rfc8448": v("{client}  construct a ClientHello", 0, "ClientHello")}
	helloRecords := map[string][]byte{"rfc8448": chRecord}
	for name, id := range map[string]*utls.ClientHelloID{"default": nil, "chrome": &utls.HelloChrome_Auto, "firefox": &utls.HelloFirefox_Auto} {
		e, err := engine.NewClient(&engine.Config{ServerName: "example.test", ClientHelloID: id, NextProtos: []string{"h2"}})
		if err != nil {
			log.Fatal(err)
		}
		rec := make([]byte, 1<<16)
		n, _ := e.Encrypted().Read(rec)
		helloRecords[name] = rec[:n]
		hellos[name] = rec[5:n]
	}
	for name, h := range hellos {
		write("FuzzClientHello", name, h)
	}
	for name, r := range helloRecords {
		write("FuzzServerEngine", name, r, uint16(5))
		write("FuzzServerEngine", name+"-whole", r, uint16(4095))
	}
	hrr := handshake.Marshal((&handshake.ServerHello{Version: handshake.VersionTLS12, CipherSuite: 0x1301, Extensions: []handshake.Extension{
		handshake.Uint16Ext(handshake.ExtSupportedVersions, handshake.VersionTLS13),
		handshake.Uint16Ext(handshake.ExtKeyShare, uint16(tls.CurveP256)),
		handshake.BytesExt(handshake.ExtCookie, 2, []byte("cookie")),
	}}))
	hrr[6] = 0xCF // not the real HelloRetryRequest random: a near miss is a fine seed too
	write("FuzzServerHello", "rfc8448", v("{server}  construct a ServerHello", 0, "ServerHello"))
	write("FuzzServerHello", "near-hrr", hrr)
	write("FuzzEncryptedExtensions", "rfc8448", v("{server}  construct an EncryptedExtensions", 0, "EncryptedExtensions"))
	write("FuzzCertificate", "rfc8448", v("{server}  construct a Certificate", 0, "Certificate"))
	write("FuzzCertificateVerify", "rfc8448", v("{server}  construct a CertificateVerify", 0, "CertificateVerify"))
	write("FuzzFinished", "rfc8448", v("{server}  construct a Finished", 0, "Finished"))
	write("FuzzNewSessionTicket", "rfc8448", v("{server}  construct a NewSessionTicket", 0, "NewSessionTicket"))
	write("FuzzKeyUpdate", "requested", handshake.Marshal((&handshake.KeyUpdate{UpdateRequested: true})))
	write("FuzzCertificateRequest", "sigalgs", handshake.Marshal((&handshake.CertificateRequest{Extensions: []handshake.Extension{
		handshake.Uint16ListExt(handshake.ExtSignatureAlgorithms, []uint16{0x0403, 0x0804})}})))
	write("FuzzServerKeyExchange", "x25519", handshake.Marshal((&handshake.ServerKeyExchange{Group: 0x1d, Public: make([]byte, 32), Scheme: 0x0403, Signature: make([]byte, 70)})))
	write("FuzzClientKeyExchange", "x25519", handshake.Marshal((&handshake.ClientKeyExchange{Public: make([]byte, 32)})))
	write("FuzzCertificate12", "rfc8448-cert", handshake.Marshal((&handshake.Certificate12{Chain: [][]byte{certDER(v)}})))
	write("FuzzCertificateRequest12", "ecdsa-rsa", handshake.Marshal((&handshake.CertificateRequest12{CertificateTypes: []uint8{1, 64}, SignatureAlgorithms: []uint16{0x0403, 0x0804}, Authorities: [][]byte{[]byte("0\x00")}})))
	write("FuzzNextProtocol", "http11", handshake.Marshal((&handshake.NextProtocol{Protocol: "http/1.1"})))
	write("FuzzNewSessionTicket12", "ticket", handshake.Marshal((&handshake.NewSessionTicket12{LifetimeHint: 7200, Ticket: make([]byte, 80)})))
	write("FuzzDeframer", "rfc8448-flight", append(append(append([]byte{}, chRecord...), shRecord...), flight...), uint8(7))
	write("FuzzClientEngine", "rfc8448-flight", append(append([]byte{}, shRecord...), flight...), uint16(3))
}

// certDER takes the certificate out of RFC 8448's Certificate message.
func certDER(v func(string, int, string) []byte) []byte {
	var c handshake.Certificate
	if err := handshake.Unmarshal(v("{server}  construct a Certificate", 0, "Certificate"), &c); err != nil {
		log.Fatal(err)
	}
	return c.Entries[0].Data
}

// write stores one seed in the go test fuzz v1 format.
func write(target, name string, args ...any) {
	dir := filepath.Join("fuzz", "testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	text := "go test fuzz v1\n"
	for _, a := range args {
		switch a := a.(type) {
		case []byte:
			text += fmt.Sprintf("[]byte(%q)\n", a)
		default:
			text += fmt.Sprintf("%T(%v)\n", a, a)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		log.Fatal(err)
	}
}
