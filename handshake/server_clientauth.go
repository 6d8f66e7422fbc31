package handshake

import (
	"crypto/tls"

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
	if MessageType(raw[0]) != TypeCertificate {
		return nil, unexpected(raw, "client Certificate")
	}
	msg := new(Certificate)
	if err := msg.Unmarshal(raw); err != nil {
		return nil, err
	}
	if len(msg.Context) != 0 {
		return nil, illegal("client Certificate with a context during the handshake")
	}
	s.fin.t.add(raw)
	st := &s.fin.state
	if len(msg.Entries) == 0 {
		if s.cfg.ClientAuth == tls.RequireAnyClientCert || s.cfg.ClientAuth == tls.RequireAndVerifyClientCert {
			return nil, record.Errorf(record.AlertCertificateRequired, "the client sent no certificate")
		}
		st.AuthorizationError = record.Errorf(record.AlertCertificateRequired, "the client sent no certificate")
		return s.fin, nil
	}
	certs, err := parseChain(msg.Entries)
	if err != nil {
		return nil, err
	}
	st.PeerCertificates = certs
	chains, verr := verifyClientChain(s.cfg, certs)
	if verr != nil {
		if s.cfg.ClientAuth == tls.VerifyClientCertIfGiven || s.cfg.ClientAuth == tls.RequireAndVerifyClientCert {
			return nil, verr
		}
		st.AuthorizationError = verr
	} else {
		st.VerifiedChains, st.Authorized = chains, true
	}
	return &serverExpectClientCertificateVerify{fin: s.fin}, nil
}

type serverExpectClientCertificateVerify struct {
	fin *serverExpectFinished
}

func (s *serverExpectClientCertificateVerify) Handle(raw []byte, out Sink) (State, error) {
	if MessageType(raw[0]) != TypeCertificateVerify {
		return nil, unexpected(raw, "client CertificateVerify")
	}
	cv := new(CertificateVerify)
	if err := cv.Unmarshal(raw); err != nil {
		return nil, err
	}
	if !contains(defaultSchemes13, cv.Scheme) {
		return nil, illegal("client signed with scheme %#04x, which was not requested", cv.Scheme)
	}
	content := signedContent(clientSignatureContext, s.fin.t.sum())
	if err := verifySignature(s.fin.state.PeerCertificates[0].PublicKey, cv.Scheme, content, cv.Signature); err != nil {
		return nil, err
	}
	s.fin.t.add(raw)
	return s.fin, nil
}
