package machine

import (
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"testing"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// A client CertificateVerify signed over another transcript is refused with
// decrypt_error.
func TestClientCertificateVerifyWrongTranscript(t *testing.T) {
	ca, err := certgen.NewCA("ca")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf(certgen.ECDSAP256, []string{"client"}, certgen.LeafOptions{Client: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	suite := handshake.Suite13ByID(handshake.TLS_AES_128_GCM_SHA256)
	fin := &serverExpectFinished{cfg: &Config{}, suite: suite, t: handshake.NewTranscript(suite), state: &ConnectionState{PeerCertificates: []*x509.Certificate{leaf}}}
	fin.t.Add([]byte("the transcript the server saw"))
	other := sha256.Sum256([]byte("another transcript"))
	sig, err := sign(cert.PrivateKey.(crypto.Signer), SchemeECDSAP256SHA256, signedContent(clientSignatureContext, other[:]), nil)
	if err != nil {
		t.Fatal(err)
	}
	cv := handshake.Marshal((&handshake.CertificateVerify{Scheme: SchemeECDSAP256SHA256, Signature: sig}))
	_, err = (&serverExpectClientCertificateVerify{fin: fin}).Handle(cv, &testSink{})
	wantAlert(t, err, record.AlertDecryptError)

	good, _ := sign(cert.PrivateKey.(crypto.Signer), SchemeECDSAP256SHA256, signedContent(clientSignatureContext, fin.t.Sum()), nil)
	next, err := (&serverExpectClientCertificateVerify{fin: fin}).Handle(handshake.Marshal((&handshake.CertificateVerify{Scheme: SchemeECDSAP256SHA256, Signature: good})), &testSink{})
	if err != nil || next != State(fin) {
		t.Fatalf("the right transcript: %v", err)
	}
	if fin.state.PeerSignatureScheme != SchemeECDSAP256SHA256 {
		t.Fatalf("PeerSignatureScheme %#04x", fin.state.PeerSignatureScheme)
	}

	// A valid signature with a scheme the server's SignatureSchemes leave
	// out (so its CertificateRequest did not list it) is illegal_parameter
	// (RFC 8446 section 4.4.3).
	fin.cfg.SignatureSchemes = []uint16{SchemePSSRSAESHA256}
	_, err = (&serverExpectClientCertificateVerify{fin: fin}).Handle(handshake.Marshal((&handshake.CertificateVerify{Scheme: SchemeECDSAP256SHA256, Signature: good})), &testSink{})
	wantAlert(t, err, record.AlertIllegalParameter)
}

// Post-handshake authentication was never offered, so a CertificateRequest
// after a TLS 1.3 handshake is unexpected_message.
func TestPostHandshakeAuthRefused(t *testing.T) {
	req := handshake.Marshal((&handshake.CertificateRequest{Context: []byte{1}, Extensions: []handshake.Extension{handshake.Uint16ListExt(handshake.ExtSignatureAlgorithms, defaultSchemes13)}}))
	_, err := (&Traffic{isClient: true, suite: handshake.Suite13ByID(handshake.TLS_AES_128_GCM_SHA256)}).Handle(req, &testSink{})
	wantAlert(t, err, record.AlertUnexpectedMessage)
}
