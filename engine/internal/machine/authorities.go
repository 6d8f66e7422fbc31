package machine

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
)

// acceptableCAs lists the distinguished names of a pool, for a
// CertificateRequest (nil when there is no pool).
func acceptableCAs(pool *x509.CertPool) [][]byte {
	if pool == nil {
		return nil
	}
	//lint:ignore SA1019 ClientCAs is a configured pool, not the system one, so Subjects is exact
	return pool.Subjects()
}

// issuedBy reports whether a chain comes from one of the named CAs: some
// certificate in it is issued by, or is, one of them. No names means any.
func issuedBy(cert *tls.Certificate, names [][]byte) bool {
	if len(names) == 0 {
		return true
	}
	for i, der := range cert.Certificate {
		c := cert.Leaf // parsed once when the Config was loaded (tls.X509KeyPair fills it)
		if i > 0 || c == nil {
			var err error
			if c, err = x509.ParseCertificate(der); err != nil {
				continue
			}
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
