package handshake

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"

	"golang.org/x/crypto/cryptobyte"
)

// ExtCertificateAuthorities is the TLS 1.3 certificate_authorities extension.
const ExtCertificateAuthorities uint16 = 47

// acceptableCAs lists the distinguished names of a pool, for a
// CertificateRequest (nil when there is no pool).
func acceptableCAs(pool *x509.CertPool) [][]byte {
	if pool == nil {
		return nil
	}
	//lint:ignore SA1019 ClientCAs is a configured pool, not the system one, so Subjects is exact
	return pool.Subjects()
}

// certificateAuthoritiesExt encodes certificate_authorities.
func certificateAuthoritiesExt(names [][]byte) Extension {
	return encodeExt(ExtCertificateAuthorities, func(b *cryptobyte.Builder) {
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

// issuedBy reports whether a chain comes from one of the named CAs: some
// certificate in it is issued by, or is, one of them. No names means any.
func issuedBy(cert *tls.Certificate, names [][]byte) bool {
	if len(names) == 0 {
		return true
	}
	for _, der := range cert.Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		for _, n := range names {
			if bytes.Equal(c.RawIssuer, n) || bytes.Equal(c.RawSubject, n) {
				return true
			}
		}
	}
	return false
}

// certsFromCAs keeps the chains issued by the named CAs, in order.
func certsFromCAs(certs []tls.Certificate, names [][]byte) []tls.Certificate {
	return filter(certs, func(c tls.Certificate) bool { return issuedBy(&c, names) })
}
