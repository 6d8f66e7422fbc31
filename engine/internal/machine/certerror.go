package machine

import (
	"crypto/x509"
	"errors"
	"time"
)

// CertificateError is why a peer's certificate did not verify: Node's code
// for it (what a Node peer reports as authorizationError for the same
// certificate) and the verification error.
type CertificateError struct {
	Code string
	Err  error // the x509 error; nil when the peer sent no certificate
}

func (e *CertificateError) Error() string {
	if e.Err == nil {
		return e.Code
	}
	return e.Code + ": " + e.Err.Error()
}

func (e *CertificateError) Unwrap() error { return e.Err }

// Node's codes (OpenSSL's X509_V_ERR names, and Node's own for the name).
const (
	codeNoCertificate    = "UNABLE_TO_GET_ISSUER_CERT"
	codeLeafUnverifiable = "UNABLE_TO_VERIFY_LEAF_SIGNATURE"
	codeIssuerUnknown    = "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
	codeSelfSigned       = "DEPTH_ZERO_SELF_SIGNED_CERT"
	codeSelfSignedChain  = "SELF_SIGNED_CERT_IN_CHAIN"
	codeExpired          = "CERT_HAS_EXPIRED"
	codeNotYetValid      = "CERT_NOT_YET_VALID"
	codeWrongPurpose     = "INVALID_PURPOSE"
	codeWrongName        = "ERR_TLS_CERT_ALTNAME_INVALID"
	codeUnspecified      = "UNSPECIFIED"
)

// nodeCode names a verification failure as Node 20 does for the chain the
// peer sent, checked at now.
func nodeCode(err error, chain []*x509.Certificate, now time.Time) string {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return unknownAuthorityCode(chain)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		if now.Before(chain[0].NotBefore) {
			return codeNotYetValid
		}
		return codeExpired
	case errors.As(err, &invalid) && invalid.Reason == x509.IncompatibleUsage:
		return codeWrongPurpose
	case errors.As(err, &hostname):
		return codeWrongName
	}
	return codeUnspecified
}

// unknownAuthorityCode tells the ways a chain can fail to reach a trusted
// root apart, as OpenSSL does: a self-signed leaf, a self-signed certificate
// further up, a lone leaf, or a chain whose top has no known issuer.
func unknownAuthorityCode(chain []*x509.Certificate) string {
	selfSigned := func(c *x509.Certificate) bool {
		return c.CheckSignatureFrom(c) == nil
	}
	switch {
	case selfSigned(chain[0]):
		return codeSelfSigned
	case len(chain) > 1 && selfSigned(chain[len(chain)-1]):
		return codeSelfSignedChain
	case len(chain) == 1:
		return codeLeafUnverifiable
	}
	return codeIssuerUnknown
}
