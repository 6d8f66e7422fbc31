package machine

import (
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// Where a TLS 1.3 server may put each extension it recognizes (RFC 8446
// section 4.2): a recognized extension in a message not listed for it is
// illegal_parameter; any extension the ClientHello did not offer is
// unsupported_extension.
var (
	inServerHello13   = []uint16{handshake.ExtKeyShare, handshake.ExtPreSharedKey, handshake.ExtSupportedVersions}
	inHelloRetry      = []uint16{handshake.ExtKeyShare, handshake.ExtCookie, handshake.ExtSupportedVersions}
	inServerCertEntry = []uint16{handshake.ExtStatusRequest, handshake.ExtSCT}
	// notInEncryptedExtensions are the recognized extensions that belong
	// elsewhere (a ClientHello, ServerHello, CertificateEntry) or to TLS
	// 1.2 only.
	notInEncryptedExtensions = []uint16{handshake.ExtKeyShare, handshake.ExtSupportedVersions, handshake.ExtPreSharedKey,
		handshake.ExtCookie, handshake.ExtPSKModes, handshake.ExtSignatureAlgorithms, handshake.ExtSignatureAlgsCert,
		handshake.ExtPadding, handshake.ExtStatusRequest, handshake.ExtSCT, handshake.ExtPostHandshakeAuth,
		handshake.ExtCompressCertificate, handshake.ExtExtendedMasterSecret, handshake.ExtNextProtoNeg,
		handshake.ExtRenegotiationInfo, handshake.ExtECPointFormats, handshake.ExtSessionTicket}
)

// isExt matches extensions of one type.
func isExt(typ uint16) func(handshake.Extension) bool {
	return func(e handshake.Extension) bool { return e.Type == typ }
}

// without returns exts without the extensions of type typ.
func without(exts []handshake.Extension, typ uint16) []handshake.Extension {
	var out []handshake.Extension
	for _, e := range exts {
		if e.Type != typ {
			out = append(out, e)
		}
	}
	return out
}

// checkServerExtensions applies those rules to one message's extensions:
// allowed lists where the message may carry a recognized extension, or
// forbidden where it may not (the other nil).
func checkServerExtensions(hello *handshake.ClientHello, what string, exts []handshake.Extension, allowed, forbidden []uint16) error {
	for _, e := range exts {
		recognized := handshake.ExtensionName(e.Type) != "unknown"
		if recognized && (contains(forbidden, e.Type) || (allowed != nil && !contains(allowed, e.Type))) {
			return illegal("extension %s in %s", handshake.ExtensionName(e.Type), what)
		}
		if !hello.HasExtension(e.Type) {
			return record.Errorf(record.AlertUnsupportedExtension, "server sent extension %d in %s, which was not offered", e.Type, what)
		}
	}
	return nil
}
