package machine

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// RSA key exchange (RFC 5246 section 7.4.7.1): the premaster is the
// hello's version and 46 random bytes, and it decrypts with the server's
// key; no ServerKeyExchange may follow the Certificate (section 7.4.3: it
// is not sent for RSA), so one is unexpected_message; a certificate with
// another key is unsupported_certificate.
func TestRSAKeyExchange(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	newState := func() *client12ExpectCertificate {
		return &client12ExpectCertificate{&client12{cfg: &Config{}, hello: &handshake.ClientHello{Version: handshake.VersionTLS12},
			state: &ConnectionState{}, sess: session12{suite: handshake.Suite12ByID(handshake.TLS_RSA_WITH_AES_128_GCM_SHA256)}}}
	}
	next, err := newState().encryptPremaster(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	done, ok := next.(*client12ExpectServerHelloDone)
	if !ok {
		t.Fatalf("next state %T", next)
	}
	//lint:ignore SA1019 the server's side of RSA key exchange, as the oracle.
	premaster, err := rsa.DecryptPKCS1v15(nil, key, done.encryptedPremaster)
	if err != nil || !bytes.Equal(premaster, done.shared) || len(premaster) != 48 || premaster[0] != 3 || premaster[1] != 3 {
		t.Fatalf("premaster %x (%v), kept %x", premaster, err, done.shared)
	}
	ske := handshake.Marshal(&handshake.ServerKeyExchange{Group: handshake.GroupX25519, Public: make([]byte, 32),
		Scheme: uint16(SchemeECDSAP256SHA256), Signature: []byte{1}})
	_, err = done.Handle(ske, nil)
	var ae *record.AlertError
	if !errors.As(err, &ae) || ae.Alert != record.AlertUnexpectedMessage {
		t.Fatalf("ServerKeyExchange under RSA key exchange: %v, want unexpected_message", err)
	}
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, err = newState().encryptPremaster(&ec.PublicKey)
	if !errors.As(err, &ae) || ae.Alert != record.AlertUnsupportedCertificate {
		t.Fatalf("ECDSA key for RSA key exchange: %v, want unsupported_certificate", err)
	}
}
