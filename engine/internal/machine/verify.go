package machine

import (
	"crypto/x509"
	"errors"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// chainOf is the DER chain of a TLS 1.3 Certificate's entries (TLS 1.2's
// Certificate carries the chain as it is).
func chainOf(entries []handshake.CertificateEntry) [][]byte {
	chain := make([][]byte, len(entries))
	for i, e := range entries {
		chain[i] = e.Data
	}
	return chain
}

// parseChain decodes the peer's certificates; a certificate that does not
// parse is bad_certificate.
func parseChain(chain [][]byte) ([]*x509.Certificate, error) {
	certs := make([]*x509.Certificate, 0, len(chain))
	for _, der := range chain {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, record.Errorf(record.AlertBadCertificate, "peer certificate does not parse: %v", err)
		}
		certs = append(certs, c)
	}
	return certs, nil
}

// verifyServerChain checks the server's chain against the roots and the name.
// It returns the verified chains, or an AlertError naming what failed.
func verifyServerChain(cfg *Config, certs []*x509.Certificate) ([][]*x509.Certificate, error) {
	return verifyChain(certs, x509.VerifyOptions{
		Roots:       cfg.RootCAs,
		DNSName:     cfg.ServerName,
		CurrentTime: cfg.now(),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
}

// verifyClientChain checks a client's chain against ClientCAs.
func verifyClientChain(cfg *Config, certs []*x509.Certificate) ([][]*x509.Certificate, error) {
	return verifyChain(certs, x509.VerifyOptions{
		Roots:       cfg.ClientCAs,
		CurrentTime: cfg.now(),
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}

func verifyChain(certs []*x509.Certificate, opts x509.VerifyOptions) ([][]*x509.Certificate, error) {
	opts.Intermediates = x509.NewCertPool()
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	// The chain first, then the name, as OpenSSL and Node order them: a
	// self-signed certificate for another name is reported self-signed.
	name := opts.DNSName
	opts.DNSName = ""
	chains, err := certs[0].Verify(opts)
	if err == nil && name != "" {
		err = certs[0].VerifyHostname(name)
	}
	if err != nil {
		return nil, verificationAlert(&CertificateError{Code: nodeCode(err, certs, opts.CurrentTime), Err: err})
	}
	return chains, nil
}

// canSign refuses a leaf whose keyUsage extension does not allow
// digitalSignature: every certificate here signs the handshake (RFC 8446
// section 4.4.2.2, RFC 5280 section 4.2.1.3), whatever the verification
// policy.
func canSign(leaf *x509.Certificate) error {
	return keyUsageAllows(leaf, x509.KeyUsageDigitalSignature)
}

// keyUsageAllows refuses a leaf whose keyUsage extension is present and
// lacks usage: digitalSignature to sign, keyEncipherment for RSA key
// exchange (RFC 5246 section 7.4.2).
func keyUsageAllows(leaf *x509.Certificate, usage x509.KeyUsage) error {
	if leaf.KeyUsage != 0 && leaf.KeyUsage&usage == 0 {
		return record.Errorf(record.AlertUnsupportedCertificate, "the peer's certificate's keyUsage %#x lacks %#x", uint(leaf.KeyUsage), uint(usage))
	}
	return nil
}

// verificationAlert picks the alert RFC 8446 section 6.2 gives for a failed
// certificate check.
func verificationAlert(err error) *record.AlertError {
	alert := record.AlertBadCertificate
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		alert = record.AlertUnknownCA
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		alert = record.AlertCertificateExpired
	case errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage:
		alert = record.AlertUnsupportedCertificate
	case errors.As(err, &hostname):
		alert = record.AlertBadCertificate
	}
	return &record.AlertError{Alert: alert, Reason: err.Error(), Err: err}
}
