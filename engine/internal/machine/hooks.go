package machine

import (
	"crypto/tls"
	"errors"

	"github.com/securepair/securepair/record"
)

// runVerifyHooks calls the Config's verification hooks once the peer's
// Finished verified, on full and resumed handshakes alike. An error fails
// the handshake with bad_certificate, or with the alert an AlertError in
// it names, and unwraps to the hook's error.
func (c *Config) runVerifyHooks(st *ConnectionState, isClient bool) error {
	if c.VerifyPeerCertificate != nil && (isClient || c.ClientAuth != tls.NoClientCert) {
		raw := make([][]byte, len(st.PeerCertificates))
		for i, cert := range st.PeerCertificates {
			raw[i] = cert.Raw
		}
		if err := c.VerifyPeerCertificate(raw, st.VerifiedChains); err != nil {
			return hookAlert("VerifyPeerCertificate", err)
		}
	}
	if c.VerifyConnection != nil {
		if err := c.VerifyConnection(st); err != nil {
			return hookAlert("VerifyConnection", err)
		}
	}
	return nil
}

func hookAlert(hook string, err error) error {
	alert := record.AlertBadCertificate
	var ae *record.AlertError
	if errors.As(err, &ae) {
		alert = ae.Alert
	}
	return &record.AlertError{Alert: alert, Reason: hook + ": " + err.Error(), Err: err}
}
