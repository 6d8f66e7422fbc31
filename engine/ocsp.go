package engine

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ocsp"
)

// ErrNoOCSPResponse is CheckOCSP's error when the server stapled nothing.
var ErrNoOCSPResponse = errors.New("securepair: the server stapled no OCSP response")

// CheckOCSP checks the OCSP response the server stapled against the
// verified chain: signed by the leaf's issuer (or a responder it
// delegated to), about the leaf, current at now, and "good". It returns
// the parsed response; a revoked certificate is an error, as is a response
// that is missing, stale or about another certificate. Checking is the
// caller's choice: the handshake does not do it.
func CheckOCSP(st ConnectionState, now time.Time) (*ocsp.Response, error) {
	if len(st.OCSPResponse) == 0 {
		return nil, ErrNoOCSPResponse
	}
	if len(st.VerifiedChains) == 0 || len(st.VerifiedChains[0]) < 2 {
		return nil, errors.New("securepair: OCSP needs a verified chain with the leaf's issuer")
	}
	leaf, issuer := st.VerifiedChains[0][0], st.VerifiedChains[0][1]
	resp, err := ocsp.ParseResponseForCert(st.OCSPResponse, leaf, issuer)
	if err != nil {
		return nil, fmt.Errorf("securepair: stapled OCSP response: %w", err)
	}
	switch {
	case now.Before(resp.ThisUpdate) || (!resp.NextUpdate.IsZero() && now.After(resp.NextUpdate)):
		return resp, fmt.Errorf("securepair: stapled OCSP response is not current (%v to %v)", resp.ThisUpdate, resp.NextUpdate)
	case resp.Status == ocsp.Revoked:
		return resp, fmt.Errorf("securepair: the server's certificate was revoked at %v", resp.RevokedAt)
	case resp.Status != ocsp.Good:
		return resp, errors.New("securepair: the OCSP responder does not know the server's certificate")
	}
	return resp, nil
}
