package handshake

import "golang.org/x/crypto/cryptobyte"

// ExtCertificateAuthorities is the TLS 1.3 certificate_authorities extension.
const ExtCertificateAuthorities uint16 = 47

// CertificateAuthoritiesExt encodes certificate_authorities.
func CertificateAuthoritiesExt(names [][]byte) Extension {
	return NewExtension(ExtCertificateAuthorities, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, n := range names {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(n) })
			}
		})
	})
}

func decodeCertificateAuthorities(d cryptobyte.String, out *[][]byte) bool {
	var list cryptobyte.String
	if !d.ReadUint16LengthPrefixed(&list) || !d.Empty() || list.Empty() {
		return false
	}
	for !list.Empty() {
		var n cryptobyte.String
		if !list.ReadUint16LengthPrefixed(&n) || len(n) == 0 {
			return false
		}
		*out = append(*out, n)
	}
	return true
}
