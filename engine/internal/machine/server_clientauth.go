package machine

import (
	"crypto/tls"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// The server states for client authentication, between its flight and the
// client's Finished:
//
//	serverExpectClientCertificate → [serverExpectClientCertificateVerify] → serverExpectFinished

type serverExpectClientCertificate struct {
	cfg *Config
	fin *serverExpectFinished
}

func (s *serverExpectClientCertificate) Handle(raw []byte, out Sink) (State, error) {
	msg, err := expect[handshake.Certificate](raw)
	if err != nil {
		return nil, err
	}
	if len(msg.Context) != 0 {
		return nil, illegal("client Certificate with a context during the handshake")
	}
	s.fin.t.Add(raw)
	if err := authorizeClient(s.cfg, chainOf(msg.Entries), s.fin.state); err != nil {
		return nil, err
	}
	if len(msg.Entries) == 0 {
		return s.fin, nil
	}
	return &serverExpectClientCertificateVerify{fin: s.fin}, nil
}

// authorizeClient applies ClientAuth to the client's chain (both versions):
// it records the certificates and the verification result in st, and fails
// only where ClientAuth says so.
func authorizeClient(cfg *Config, chain [][]byte, st *ConnectionState) error {
	if len(chain) == 0 {
		// certificate_required exists from TLS 1.3 on (RFC 8446 section
		// 4.4.2.4); TLS 1.2 answers handshake_failure (RFC 5246 section 7.4.6).
		alert := record.AlertCertificateRequired
		if st.Version == handshake.VersionTLS12 {
			alert = record.AlertHandshakeFailure
		}
		missing := &record.AlertError{Alert: alert, Reason: "the client sent no certificate", Err: &CertificateError{Code: codeNoCertificate}}
		if cfg.ClientAuth == tls.RequireAnyClientCert || cfg.ClientAuth == tls.RequireAndVerifyClientCert {
			return missing
		}
		st.AuthorizationError = missing
		return nil
	}
	certs, err := parseChain(chain)
	if err != nil {
		return err
	}
	if err := canSign(certs[0]); err != nil {
		return err
	}
	st.PeerCertificates = certs
	chains, verr := verifyClientChain(cfg, certs)
	if verr != nil {
		if cfg.ClientAuth == tls.VerifyClientCertIfGiven || cfg.ClientAuth == tls.RequireAndVerifyClientCert {
			return verr
		}
		st.AuthorizationError = verr
		return nil
	}
	st.VerifiedChains, st.Authorized = chains, true
	return nil
}

type serverExpectClientCertificateVerify struct {
	fin *serverExpectFinished
}

func (s *serverExpectClientCertificateVerify) Handle(raw []byte, out Sink) (State, error) {
	cv, err := expect[handshake.CertificateVerify](raw)
	if err != nil {
		return nil, err
	}
	if !contains(s.fin.cfg.schemes13(), cv.Scheme) {
		return nil, illegal("client signed with scheme %#04x, which was not requested", cv.Scheme)
	}
	content := signedContent(clientSignatureContext, s.fin.t.Sum())
	if err := verifySignature(s.fin.state.PeerCertificates[0].PublicKey, cv.Scheme, content, cv.Signature); err != nil {
		return nil, err
	}
	s.fin.state.PeerSignatureScheme = cv.Scheme
	s.fin.t.Add(raw)
	return s.fin, nil
}
