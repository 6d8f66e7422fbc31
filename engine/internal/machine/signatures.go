package machine

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"github.com/securepair/securepair/handshake"
	"io"

	"github.com/securepair/securepair/record"
)

// Signature schemes (RFC 8446 section 4.2.3).
const (
	SchemeECDSAP256SHA256 uint16 = 0x0403
	SchemeECDSAP384SHA384 uint16 = 0x0503
	SchemeECDSAP521SHA512 uint16 = 0x0603
	SchemeEd25519         uint16 = 0x0807
	SchemePSSRSAESHA256   uint16 = 0x0804
	SchemePSSRSAESHA384   uint16 = 0x0805
	SchemePSSRSAESHA512   uint16 = 0x0806
	SchemePKCS1SHA256     uint16 = 0x0401
	SchemePKCS1SHA384     uint16 = 0x0501
	SchemePKCS1SHA512     uint16 = 0x0601
)

// defaultSchemes13 are the schemes offered and accepted in TLS 1.3
// CertificateVerify, in order of preference.
var defaultSchemes13 = []uint16{
	SchemeECDSAP256SHA256, SchemeEd25519, SchemePSSRSAESHA256, SchemeECDSAP384SHA384,
	SchemePSSRSAESHA384, SchemePSSRSAESHA512, SchemeECDSAP521SHA512,
}

// defaultSchemesCert adds the PKCS#1 schemes still used to sign certificates.
var defaultSchemesCert = append(append([]uint16{}, defaultSchemes13...), SchemePKCS1SHA256, SchemePKCS1SHA384, SchemePKCS1SHA512)

type schemeInfo struct {
	hash crypto.Hash // 0 for Ed25519
	pss  bool
}

var schemes = map[uint16]schemeInfo{
	SchemeECDSAP256SHA256: {crypto.SHA256, false},
	SchemeECDSAP384SHA384: {crypto.SHA384, false},
	SchemeECDSAP521SHA512: {crypto.SHA512, false},
	SchemeEd25519:         {0, false},
	SchemePSSRSAESHA256:   {crypto.SHA256, true},
	SchemePSSRSAESHA384:   {crypto.SHA384, true},
	SchemePSSRSAESHA512:   {crypto.SHA512, true},
	SchemePKCS1SHA256:     {crypto.SHA256, false}, // TLS 1.2 only
	SchemePKCS1SHA384:     {crypto.SHA384, false},
	SchemePKCS1SHA512:     {crypto.SHA512, false},
}

// defaultSchemes12 are the schemes accepted in TLS 1.2 ServerKeyExchange and
// CertificateVerify, in order of preference.
var defaultSchemes12 = []uint16{
	SchemeECDSAP256SHA256, SchemePSSRSAESHA256, SchemeEd25519, SchemeECDSAP384SHA384, SchemePSSRSAESHA384,
	SchemeECDSAP521SHA512, SchemePSSRSAESHA512, SchemePKCS1SHA256, SchemePKCS1SHA384, SchemePKCS1SHA512,
}

// schemes13 are the schemes this side signs with and accepts in TLS 1.3,
// in its order: SignatureSchemes without what TLS 1.3 forbids (PKCS#1
// v1.5, SHA-1), or the defaults.
func (c *Config) schemes13() []uint16 { return c.ourSchemes(defaultSchemes13) }

// schemes12 are the same for TLS 1.2.
func (c *Config) schemes12() []uint16 { return c.ourSchemes(defaultSchemes12) }

func (c *Config) ourSchemes(allowed []uint16) []uint16 {
	if c.SignatureSchemes == nil {
		return allowed
	}
	return filter(c.SignatureSchemes, func(s uint16) bool { return contains(allowed, s) })
}

// schemesOffered are the schemes a derived ClientHello lists: the defaults
// (with the PKCS#1 ones certificates are still signed with), or
// SignatureSchemes as far as we know them.
func (c *Config) schemesOffered() []uint16 {
	if c.SignatureSchemes == nil {
		return defaultSchemesCert
	}
	return filter(c.SignatureSchemes, func(s uint16) bool { _, ok := schemes[s]; return ok })
}

// agreed is ours ∩ peer's, in our order.
func agreed(ours, peers []uint16) []uint16 {
	return filter(ours, func(s uint16) bool { return contains(peers, s) })
}

// schemesForKey12 lists the TLS 1.2 schemes a public key can sign with: in
// TLS 1.2 an ECDSA key may use any hash, and RSA may use PKCS#1 v1.5.
func schemesForKey12(pub crypto.PublicKey) []uint16 {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return []uint16{SchemeECDSAP256SHA256, SchemeECDSAP384SHA384, SchemeECDSAP521SHA512}
	case ed25519.PublicKey:
		return []uint16{SchemeEd25519}
	case *rsa.PublicKey:
		return []uint16{SchemePSSRSAESHA256, SchemePSSRSAESHA384, SchemePSSRSAESHA512, SchemePKCS1SHA256, SchemePKCS1SHA384, SchemePKCS1SHA512}
	}
	return nil
}

// pickScheme12 returns the first of the agreed schemes (ours the peer
// accepts, in our order) that the key can sign with in TLS 1.2.
func pickScheme12(pub crypto.PublicKey, agreedSchemes []uint16) (uint16, bool) {
	return firstFitting(schemesForKey12(pub), agreedSchemes)
}

func firstFitting(forKey, agreedSchemes []uint16) (uint16, bool) {
	for _, s := range agreedSchemes {
		if contains(forKey, s) {
			return s, true
		}
	}
	return 0, false
}

// schemesForKey lists the TLS 1.3 schemes a public key can sign with.
func schemesForKey(pub crypto.PublicKey) []uint16 {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return []uint16{SchemeECDSAP256SHA256}
		case elliptic.P384():
			return []uint16{SchemeECDSAP384SHA384}
		case elliptic.P521():
			return []uint16{SchemeECDSAP521SHA512}
		}
	case ed25519.PublicKey:
		return []uint16{SchemeEd25519}
	case *rsa.PublicKey:
		return []uint16{SchemePSSRSAESHA256, SchemePSSRSAESHA384, SchemePSSRSAESHA512}
	}
	return nil
}

// pickScheme is pickScheme12 with TLS 1.3's schemes.
func pickScheme(pub crypto.PublicKey, agreedSchemes []uint16) (uint16, bool) {
	return firstFitting(schemesForKey(pub), agreedSchemes)
}

const (
	serverSignatureContext = "TLS 1.3, server CertificateVerify"
	clientSignatureContext = "TLS 1.3, client CertificateVerify"
)

// signedContent builds what a TLS 1.3 CertificateVerify signs.
func signedContent(context string, transcriptHash []byte) []byte {
	out := make([]byte, 0, 64+len(context)+1+len(transcriptHash))
	for range 64 {
		out = append(out, 0x20)
	}
	out = append(out, context...)
	out = append(out, 0)
	return append(out, transcriptHash...)
}

func digest(h crypto.Hash, msg []byte) []byte {
	if h == 0 {
		return msg
	}
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// sign signs content with scheme.
func sign(key crypto.Signer, scheme uint16, content []byte, rand io.Reader) ([]byte, error) {
	info, ok := schemes[scheme]
	if !ok {
		return nil, record.Errorf(record.AlertInternalError, "cannot sign with scheme %#04x", scheme)
	}
	var opts crypto.SignerOpts = info.hash
	if info.pss {
		opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: info.hash}
	}
	sig, err := key.Sign(rand, digest(info.hash, content), opts)
	if err != nil {
		return nil, record.Errorf(record.AlertInternalError, "signing: %v", err)
	}
	return sig, nil
}

// verifySignature checks a TLS 1.3 signature; any failure is decrypt_error.
func verifySignature(pub crypto.PublicKey, scheme uint16, content, sig []byte) error {
	return verifyWith(schemesForKey(pub), pub, scheme, content, sig)
}

// verifySignature12 checks a TLS 1.2 signature.
func verifySignature12(pub crypto.PublicKey, scheme uint16, content, sig []byte) error {
	return verifyWith(schemesForKey12(pub), pub, scheme, content, sig)
}

func verifyWith(allowed []uint16, pub crypto.PublicKey, scheme uint16, content, sig []byte) error {
	if !contains(allowed, scheme) {
		return record.Errorf(record.AlertIllegalParameter, "scheme %#04x does not fit the certificate key", scheme)
	}
	info := schemes[scheme]
	d := digest(info.hash, content)
	ok := false
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, d, sig)
	case ed25519.PublicKey:
		ok = ed25519.Verify(k, d, sig)
	case *rsa.PublicKey:
		if info.pss {
			ok = rsa.VerifyPSS(k, info.hash, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		} else {
			ok = rsa.VerifyPKCS1v15(k, info.hash, d, sig) == nil
		}
	}
	if !ok {
		return record.Errorf(record.AlertDecryptError, "signature does not verify")
	}
	return nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// curveOffered reports whether an ECDSA key's curve is among the groups a
// hello offered (RFC 8422 section 2: the certificate's curve must be one the
// client supports). Other keys, and a hello without supported_groups, pass.
func curveOffered(pub crypto.PublicKey, groups []uint16) bool {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || groups == nil {
		return true
	}
	switch k.Curve {
	case elliptic.P256():
		return contains(groups, handshake.GroupSecp256r1)
	case elliptic.P384():
		return contains(groups, handshake.GroupSecp384r1)
	case elliptic.P521():
		return contains(groups, handshake.GroupSecp521r1)
	}
	return false
}
