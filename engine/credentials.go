package engine

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ErrWrongPassphrase is returned when an encrypted key does not decrypt.
var ErrWrongPassphrase = errors.New("securepair: wrong passphrase for the private key")

// LoadKeyPair parses a PEM certificate chain and its PEM private key, as
// Node's key/cert options take them. An encrypted key is decrypted with
// passphrase: the legacy OpenSSL form (Proc-Type: 4,ENCRYPTED, as
// `openssl genrsa -aes256` writes) or encrypted PKCS#8 (PBES2 with AES-CBC,
// as `openssl pkcs8 -topk8` writes). A wrong passphrase is ErrWrongPassphrase.
func LoadKeyPair(certPEM, keyPEM []byte, passphrase string) (tls.Certificate, error) {
	block, rest := pem.Decode(keyPEM)
	if block == nil {
		return tls.Certificate{}, errors.New("securepair: no PEM block in the key")
	}
	switch {
	//lint:ignore SA1019 legacy PEM encryption is what `openssl genrsa -aes256` makes; only read here
	case x509.IsEncryptedPEMBlock(block):
		if passphrase == "" {
			return tls.Certificate{}, errors.New("securepair: the key is encrypted; a passphrase is needed")
		}
		//lint:ignore SA1019 see above
		der, err := x509.DecryptPEMBlock(block, []byte(passphrase))
		if err != nil || !parsesAsKey(der) {
			return tls.Certificate{}, ErrWrongPassphrase // padding can pass by chance: the key must parse too
		}
		keyPEM = append(pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der}), rest...)
	case block.Type == "ENCRYPTED PRIVATE KEY":
		if passphrase == "" {
			return tls.Certificate{}, errors.New("securepair: the key is encrypted; a passphrase is needed")
		}
		der, err := decryptPKCS8(block.Bytes, passphrase)
		if err != nil {
			return tls.Certificate{}, err
		}
		keyPEM = append(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), rest...)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("securepair: %w", err)
	}
	return cert, nil
}

// CertPoolFromPEM makes a pool from PEM certificates (Node's ca option).
func CertPoolFromPEM(pems ...[]byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	for _, p := range pems {
		if !pool.AppendCertsFromPEM(p) {
			return nil, errors.New("securepair: no certificate in the CA PEM")
		}
	}
	return pool, nil
}

// CertificatesByName maps server names to certificates; a "*.example.com"
// entry matches one label. Its GetCertificate is the seed's default
// SNICallback: an unknown name gets nil, so Config.Certificates serves.
type CertificatesByName map[string]*tls.Certificate

// GetCertificate looks the ClientHello's server name up.
func (m CertificatesByName) GetCertificate(hi *ClientHelloInfo) (*tls.Certificate, error) {
	name := strings.ToLower(strings.TrimSuffix(hi.ServerName, "."))
	if c, ok := m[name]; ok {
		return c, nil
	}
	if i := strings.IndexByte(name, '.'); i > 0 {
		if c, ok := m["*"+name[i:]]; ok {
			return c, nil
		}
	}
	return nil, nil
}

func parsesAsKey(der []byte) bool {
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParseECPrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParsePKCS8PrivateKey(der)
	return err == nil
}
