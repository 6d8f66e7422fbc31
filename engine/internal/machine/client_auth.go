package machine

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"

	"github.com/securepair/securepair/handshake"
)

// The client's side of authentication: checking the server's chain, and
// answering a CertificateRequest.

// authorizeServer verifies the server chain (both versions) into st, or
// records why it does not verify when the Config accepts unauthorized
// servers; the leaf's keyUsage must allow usage, whatever the policy.
func authorizeServer(cfg *Config, st *ConnectionState, certs []*x509.Certificate, usage x509.KeyUsage) error {
	if err := keyUsageAllows(certs[0], usage); err != nil {
		return err
	}
	st.PeerCertificates = certs
	chains, err := verifyServerChain(cfg, certs)
	if err == nil {
		st.VerifiedChains = chains
		st.Authorized = true
		return nil
	}
	if !cfg.InsecureAcceptUnauthorized {
		return err
	}
	st.AuthorizationError = err
	return nil
}

// sendClientCertificate answers a CertificateRequest: the first configured
// chain whose key fits the requested signature algorithms, with its
// CertificateVerify, or an empty Certificate when none fits.
func (c *client13) sendClientCertificate(req *handshake.CertificateRequest, k *clientKeys, out Sink) error {
	cert, scheme := chooseCertificate(certsFromCAs(c.cfg.Certificates, req.Authorities), agreed(c.cfg.schemes13(), req.SignatureAlgorithms))
	msg := &handshake.Certificate{Context: req.Context}
	if cert != nil {
		for _, der := range cert.Certificate {
			msg.Entries = append(msg.Entries, handshake.CertificateEntry{Data: der})
		}
	}
	raw := handshake.Marshal(msg)
	k.t.Add(raw)
	if err := out.SendMessage(raw); err != nil || cert == nil {
		return err
	}
	c.state.LocalSignatureScheme = scheme
	sig, err := sign(cert.PrivateKey.(crypto.Signer), scheme, signedContent(clientSignatureContext, k.t.Sum()), c.cfg.rand())
	if err != nil {
		return err
	}
	cv := handshake.Marshal((&handshake.CertificateVerify{Scheme: scheme, Signature: sig}))
	k.t.Add(cv)
	return out.SendMessage(cv)
}

// TLS 1.2 certificate_types (RFC 5246 section 7.4.4).
const (
	certTypeRSASign   = 1
	certTypeECDSASign = 64
)

// certsOfTypes keeps the chains whose key a TLS 1.2 CertificateRequest's
// certificate_types allow (RFC 5246 section 7.4.6; ecdsa_sign covers
// Ed25519, RFC 8422 section 5.5).
func certsOfTypes(certs []tls.Certificate, types []uint8) []tls.Certificate {
	var out []tls.Certificate
	for _, c := range certs {
		signer, ok := c.PrivateKey.(crypto.Signer)
		if !ok {
			continue
		}
		want := uint8(certTypeRSASign)
		if isECDSAish(signer.Public()) {
			want = certTypeECDSASign
		}
		if contains(types, want) {
			out = append(out, c)
		}
	}
	return out
}
