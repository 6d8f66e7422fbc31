package engine

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"hash"
)

// Object identifiers of PKCS#5 v2 (RFC 8018) as `openssl pkcs8 -topk8 -v2` writes it.
var (
	oidPBES2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACWithSHA1  = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACWithSHA25 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES128CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     algorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc algorithmIdentifier
	EncryptionScheme  algorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                 `asn1:"optional"`
	PRF            algorithmIdentifier `asn1:"optional"`
}

var errUnsupportedPKCS8 = errors.New("securepair: encrypted PKCS#8 key: only PBES2 with PBKDF2 (HMAC-SHA1/SHA256) and AES-CBC is supported")

// decryptPKCS8 opens an ENCRYPTED PRIVATE KEY block (PBES2: PBKDF2 and
// AES-CBC) and returns the PKCS#8 DER inside.
func decryptPKCS8(der []byte, passphrase string) ([]byte, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, errors.New("securepair: malformed encrypted PKCS#8 key")
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, errUnsupportedPKCS8
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, errUnsupportedPKCS8
	}
	var kdf pbkdf2Params
	if !params.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) {
		return nil, errUnsupportedPKCS8
	}
	if _, err := asn1.Unmarshal(params.KeyDerivationFunc.Parameters.FullBytes, &kdf); err != nil || kdf.IterationCount <= 0 || kdf.IterationCount > 10_000_000 {
		return nil, errUnsupportedPKCS8
	}
	prf := func() hash.Hash { return sha1.New() }
	switch {
	case kdf.PRF.Algorithm == nil, kdf.PRF.Algorithm.Equal(oidHMACWithSHA1):
	case kdf.PRF.Algorithm.Equal(oidHMACWithSHA25):
		prf = sha256.New
	default:
		return nil, errUnsupportedPKCS8
	}
	keyLen := map[string]int{oidAES128CBC.String(): 16, oidAES192CBC.String(): 24, oidAES256CBC.String(): 32}[params.EncryptionScheme.Algorithm.String()]
	var iv []byte
	if keyLen == 0 {
		return nil, errUnsupportedPKCS8
	}
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &iv); err != nil || len(iv) != aes.BlockSize {
		return nil, errUnsupportedPKCS8
	}
	key, err := pbkdf2.Key(prf, passphrase, kdf.Salt, kdf.IterationCount, keyLen)
	if err != nil {
		return nil, errUnsupportedPKCS8
	}
	data := info.EncryptedData
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("securepair: malformed encrypted PKCS#8 key")
	}
	block, _ := aes.NewCipher(key)
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
	pad := int(plain[len(plain)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, ErrWrongPassphrase
	}
	for _, b := range plain[len(plain)-pad:] {
		if int(b) != pad {
			return nil, ErrWrongPassphrase
		}
	}
	plain = plain[:len(plain)-pad]
	if _, err := x509.ParsePKCS8PrivateKey(plain); err != nil {
		return nil, ErrWrongPassphrase
	}
	return plain, nil
}
