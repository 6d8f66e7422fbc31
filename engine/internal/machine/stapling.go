package machine

import (
	"crypto/tls"
	"slices"

	"golang.org/x/crypto/cryptobyte"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// OCSP stapling (RFC 6066 section 8, RFC 8446 section 4.4.2.1) and
// Certificate Transparency timestamps (RFC 6962 section 3.3): a client asks
// with status_request and signed_certificate_timestamp; a server answers
// from its tls.Certificate's OCSPStaple and SignedCertificateTimestamps, on
// the leaf's CertificateEntry in TLS 1.3, and in TLS 1.2 with a
// CertificateStatus message and a ServerHello extension.

// typeCertificateStatus is TLS 1.2's CertificateStatus message.
const typeCertificateStatus handshake.MessageType = 22

// statusTypeOCSP is the only CertificateStatusType.
const statusTypeOCSP = 1

// certificateStatusBody is a CertificateStatus: the OCSP response.
func certificateStatusBody(staple []byte) []byte {
	var b cryptobyte.Builder
	b.AddUint8(statusTypeOCSP)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(staple) })
	return b.BytesOrPanic()
}

// readCertificateStatus is the OCSP response of a CertificateStatus body.
func readCertificateStatus(body []byte) ([]byte, error) {
	s := cryptobyte.String(body)
	var kind uint8
	var resp cryptobyte.String
	if !s.ReadUint8(&kind) || kind != statusTypeOCSP || !s.ReadUint24LengthPrefixed(&resp) || len(resp) == 0 || !s.Empty() {
		return nil, record.Errorf(record.AlertDecodeError, "malformed CertificateStatus")
	}
	return slices.Clone([]byte(resp)), nil
}

// sctListData is a SignedCertificateTimestampList.
func sctListData(scts [][]byte) []byte {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, sct := range scts {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sct) })
		}
	})
	return b.BytesOrPanic()
}

// readSCTList reads a SignedCertificateTimestampList (RFC 6962 section
// 3.3: at least one, none empty).
func readSCTList(data []byte) ([][]byte, error) {
	s := cryptobyte.String(data)
	var list cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&list) || list.Empty() || !s.Empty() {
		return nil, record.Errorf(record.AlertDecodeError, "malformed signed_certificate_timestamp")
	}
	var scts [][]byte
	for !list.Empty() {
		var sct cryptobyte.String
		if !list.ReadUint16LengthPrefixed(&sct) || sct.Empty() {
			return nil, record.Errorf(record.AlertDecodeError, "malformed signed_certificate_timestamp")
		}
		scts = append(scts, slices.Clone([]byte(sct)))
	}
	return scts, nil
}

// leafExtensions13 are the leaf CertificateEntry's extensions: what the
// client asked for and the certificate has.
func leafExtensions13(cert *tls.Certificate, askedOCSP, askedSCT bool) []handshake.Extension {
	var exts []handshake.Extension
	if askedOCSP && len(cert.OCSPStaple) > 0 {
		exts = append(exts, handshake.Extension{Type: handshake.ExtStatusRequest, Data: certificateStatusBody(cert.OCSPStaple)})
	}
	if askedSCT && len(cert.SignedCertificateTimestamps) > 0 {
		exts = append(exts, handshake.Extension{Type: handshake.ExtSCT, Data: sctListData(cert.SignedCertificateTimestamps)})
	}
	return exts
}

// readLeafExtensions13 records the staple and timestamps of a TLS 1.3
// leaf CertificateEntry.
func readLeafExtensions13(entry handshake.CertificateEntry, st *ConnectionState) error {
	for _, e := range entry.Extensions {
		var err error
		switch e.Type {
		case handshake.ExtStatusRequest:
			st.OCSPResponse, err = readCertificateStatus(e.Data)
		case handshake.ExtSCT:
			st.SignedCertificateTimestamps, err = readSCTList(e.Data)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stapling12 are a TLS 1.2 server's ServerHello extensions for them, and
// the CertificateStatus message to send after Certificate (nil: none).
func stapling12(cert *tls.Certificate, ch *handshake.ClientHello) ([]handshake.Extension, []byte) {
	var exts []handshake.Extension
	var status []byte
	if ch.StatusRequest && len(cert.OCSPStaple) > 0 {
		exts = append(exts, handshake.EmptyExt(handshake.ExtStatusRequest))
		body := certificateStatusBody(cert.OCSPStaple)
		status = append([]byte{byte(typeCertificateStatus), byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	}
	if ch.SCT && len(cert.SignedCertificateTimestamps) > 0 {
		exts = append(exts, handshake.Extension{Type: handshake.ExtSCT, Data: sctListData(cert.SignedCertificateTimestamps)})
	}
	return exts, status
}

// readServerHelloStapling records the timestamps of a TLS 1.2 ServerHello,
// and reports whether it acknowledged status_request (a CertificateStatus
// may then follow the Certificate).
func readServerHelloStapling(sh *handshake.ServerHello, st *ConnectionState) (statusAcked bool, err error) {
	for _, e := range sh.Extensions {
		switch e.Type {
		case handshake.ExtStatusRequest:
			if len(e.Data) != 0 {
				return false, record.Errorf(record.AlertDecodeError, "status_request in ServerHello is not empty")
			}
			statusAcked = true
		case handshake.ExtSCT:
			if st.SignedCertificateTimestamps, err = readSCTList(e.Data); err != nil {
				return false, err
			}
		}
	}
	return statusAcked, nil
}
