// Package certgen makes throwaway certificate authorities and leaf
// certificates for tests, benchmarks, examples and the demo: part of the
// test kit. Nothing it makes should be trusted outside a test.
package certgen

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// KeyType names a certificate key type.
type KeyType string

// The certificate key types the core supports.
const (
	ECDSAP256 KeyType = "ecdsa-p256"
	ECDSAP384 KeyType = "ecdsa-p384"
	ECDSAP521 KeyType = "ecdsa-p521"
	RSA2048   KeyType = "rsa-2048"
	Ed25519   KeyType = "ed25519"
)

// KeyTypes lists every supported certificate key type.
var KeyTypes = []KeyType{ECDSAP256, ECDSAP384, ECDSAP521, RSA2048, Ed25519}

// NewKey makes a private key of the given type.
func NewKey(kt KeyType) (crypto.Signer, error) {
	switch kt {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case ECDSAP521:
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("certgen: unknown key type %q", kt)
}

// CA is a throwaway certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	Pool *x509.CertPool
}

// Epoch is the fixed "now" of test certificates' validity window.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// nextSerial draws a random 128-bit serial number, as real CAs do: unique
// without shared state, so CAs may be used from many goroutines.
func nextSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic("certgen: no randomness: " + err.Error()) // crypto/rand does not fail
	}
	return n.Add(n, big.NewInt(1))
}

// NewCA makes a CA with an ECDSA P-256 key valid for ten years around Epoch.
func NewCA(name string) (*CA, error) {
	return NewCAValid(name, Epoch.AddDate(-5, 0, 0), Epoch.AddDate(5, 0, 0))
}

// NewCAValid makes a CA valid from notBefore to notAfter.
func NewCAValid(name string, notBefore, notAfter time.Time) (*CA, error) {
	key, err := NewKey(ECDSAP256)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          nextSerial(),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Cert: cert, Key: key, Pool: pool}, nil
}

// LeafOptions shape a leaf certificate.
type LeafOptions struct {
	NotBefore, NotAfter time.Time // zero: five years around Epoch
	Client              bool      // client auth usage instead of server auth
	// KeyUsage replaces the default: digitalSignature, and keyEncipherment
	// too for an RSA key, as CAs issue them (RSA key exchange needs it).
	// Tests of refusals set it.
	KeyUsage x509.KeyUsage
}

// Leaf issues a certificate for names (host names or IP addresses) with a
// fresh key of type kt.
func (ca *CA) Leaf(kt KeyType, names []string, opts LeafOptions) (tls.Certificate, error) {
	key, err := NewKey(kt)
	if err != nil {
		return tls.Certificate{}, err
	}
	if opts.NotBefore.IsZero() {
		opts.NotBefore, opts.NotAfter = Epoch.AddDate(-5, 0, 0), Epoch.AddDate(5, 0, 0)
	}
	usage := x509.ExtKeyUsageServerAuth
	if opts.Client {
		usage = x509.ExtKeyUsageClientAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: nextSerial(),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    opts.NotBefore,
		NotAfter:     opts.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if kt == RSA2048 {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	if opts.KeyUsage != 0 {
		tmpl.KeyUsage = opts.KeyUsage
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// CertPEM encodes a certificate chain as PEM.
func CertPEM(chain [][]byte) []byte {
	var out []byte
	for _, der := range chain {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return out
}

// KeyPEM encodes a private key as PKCS#8 PEM.
func KeyPEM(key crypto.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
