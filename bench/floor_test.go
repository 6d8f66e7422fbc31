package bench

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// The floor of a handshake is the cryptography both sides must do, with
// nothing around it: the key exchange (both key pairs, both shared
// secrets, ML-KEM's encapsulation for the hybrid), the server's signature
// and the client's two verifications (CertificateVerify, and the CA's
// signature on the leaf), the key schedule of both sides and the
// transcript hashes. It leaves out what is protocol rather than
// cryptography: encoding, parsing certificates, building the chain.

// handshakeFloor returns one op of the floor for v.
func handshakeFloor(v variant, c *certs) func() error {
	leaf := c.leaf[v.key]
	signer := leaf.PrivateKey.(crypto.Signer)
	cert, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		panic(err)
	}
	caKey := c.ca.Cert.PublicKey.(*ecdsa.PublicKey)
	tbs := sha256.Sum256(cert.RawTBSCertificate)
	transcript := make([]byte, 3000) // about what a handshake hashes
	return func() error {
		if err := keyExchangeFloor(v.group); err != nil {
			return err
		}
		if !v.resume {
			if err := signatureFloor(signer, cert.PublicKey); err != nil {
				return err
			}
			if !ecdsa.VerifyASN1(caKey, tbs[:], cert.Signature) {
				return errFloor
			}
		}
		for range 2 { // each side hashes the transcript as it goes
			transcriptFloor(v, transcript)
			if v.version == tls.VersionTLS12 {
				prfFloor()
			} else {
				schedule13Floor(v.resume)
			}
		}
		return nil
	}
}

var errFloor = x509.ErrUnsupportedAlgorithm

func keyExchangeFloor(group tls.CurveID) error {
	clientKey, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	serverKey, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if _, err := serverKey.ECDH(clientKey.PublicKey()); err != nil {
		return err
	}
	if _, err := clientKey.ECDH(serverKey.PublicKey()); err != nil {
		return err
	}
	if group != tls.X25519MLKEM768 {
		return nil
	}
	dk, err := mlkem.GenerateKey768()
	if err != nil {
		return err
	}
	_, ct := dk.EncapsulationKey().Encapsulate()
	_, err = dk.Decapsulate(ct)
	return err
}

func signatureFloor(signer crypto.Signer, pub any) error {
	digest := sha256.Sum256(make([]byte, 130)) // the CertificateVerify content
	switch pub := pub.(type) {
	case *ecdsa.PublicKey:
		sig, err := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			return err
		}
		if !ecdsa.VerifyASN1(pub, digest[:], sig) {
			return errFloor
		}
	case *rsa.PublicKey:
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
		sig, err := signer.Sign(rand.Reader, digest[:], opts)
		if err != nil {
			return err
		}
		return rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, opts)
	}
	return nil
}

// transcriptFloor hashes the handshake messages once, with a sum at each
// point a secret or Finished needs one.
func transcriptFloor(v variant, msgs []byte) {
	h := sha256.New()
	for i := 0; i < 6; i++ {
		h.Write(msgs[i*len(msgs)/6 : (i+1)*len(msgs)/6])
		h.Sum(nil)
	}
}

// schedule13Floor is one side's TLS 1.3 key schedule (RFC 8446 section
// 7.1): three extractions, the secrets, the keys and IVs of four traffic
// secrets, two Finished MACs, and with resumption the binder.
func schedule13Floor(resume bool) {
	zero := make([]byte, 32)
	th := make([]byte, 32)
	early, _ := hkdf.Extract(sha256.New, zero, nil)
	if resume {
		binderKey := expandLabel(early, "res binder", th)
		mac(expandLabel(binderKey, "finished", nil), th)
	}
	hs, _ := hkdf.Extract(sha256.New, zero, expandLabel(early, "derived", th))
	secrets := [][]byte{expandLabel(hs, "c hs traffic", th), expandLabel(hs, "s hs traffic", th)}
	ms, _ := hkdf.Extract(sha256.New, zero, expandLabel(hs, "derived", th))
	secrets = append(secrets, expandLabel(ms, "c ap traffic", th), expandLabel(ms, "s ap traffic", th))
	expandLabel(ms, "exp master", th)
	for _, s := range secrets {
		expandLabelN(s, "key", nil, 16)
		expandLabelN(s, "iv", nil, 12)
	}
	for _, s := range secrets[:2] {
		mac(expandLabel(s, "finished", nil), th)
	}
}

func expandLabel(secret []byte, label string, context []byte) []byte {
	return expandLabelN(secret, label, context, 32)
}

func expandLabelN(secret []byte, label string, context []byte, n int) []byte {
	info := []byte{0, byte(n), byte(6 + len(label))}
	info = append(append(info, "tls13 "...), label...)
	info = append(append(info, byte(len(context))), context...)
	out, _ := hkdf.Expand(sha256.New, secret, string(info), n)
	return out
}

func mac(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

// prfFloor is one side's TLS 1.2 PRF work: the extended master secret, the
// key block and two Finished values (RFC 5246 section 5, RFC 7627).
func prfFloor() {
	seed := make([]byte, 64)
	master := prf(sha256.New, make([]byte, 32), "extended master secret", seed[:32], 48)
	prf(sha256.New, master, "key expansion", seed, 40)
	prf(sha256.New, master, "client finished", seed[:32], 12)
	prf(sha256.New, master, "server finished", seed[:32], 12)
}

func prf(h func() hash.Hash, secret []byte, label string, seed []byte, n int) []byte {
	labelSeed := append([]byte(label), seed...)
	var out []byte
	a := labelSeed
	for len(out) < n {
		m := hmac.New(h, secret)
		m.Write(a)
		a = m.Sum(nil)
		m = hmac.New(h, secret)
		m.Write(a)
		m.Write(labelSeed)
		out = m.Sum(out)
	}
	return out[:n]
}

// aeadFor makes the AEAD of a record suite with a fixed key.
func aeadFor(suite uint16) cipher.AEAD {
	switch suite {
	case tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:
		a, _ := chacha20poly1305.New(make([]byte, 32))
		return a
	case tls.TLS_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:
		block, _ := aes.NewCipher(make([]byte, 32))
		a, _ := cipher.NewGCM(block)
		return a
	}
	block, _ := aes.NewCipher(make([]byte, 16))
	a, _ := cipher.NewGCM(block)
	return a
}

// recordFloor is the floor of one record of n bytes: sealed in place, moved
// once (the network), opened in place.
type recordFloor struct {
	aead       cipher.AEAD
	sent, recv []byte
	nonce      [12]byte
	seq        uint64
}

func newRecordFloor(suite uint16, n int) *recordFloor {
	return &recordFloor{aead: aeadFor(suite), sent: make([]byte, n+5+17+16), recv: make([]byte, n+5+17+16)}
}

func (f *recordFloor) op(data []byte) error {
	f.seq++
	f.nonce[11] = byte(f.seq)
	f.nonce[10] = byte(f.seq >> 8)
	hdr, body := f.sent[:5], f.sent[5:5+len(data)+1]
	copy(body, data)
	sealed := f.aead.Seal(body[:0], f.nonce[:], body, hdr)
	n := copy(f.recv, f.sent[:5+len(sealed)])
	_, err := f.aead.Open(f.recv[5:5], f.nonce[:], f.recv[5:n], f.recv[:5])
	return err
}
