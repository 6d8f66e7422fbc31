package handshake

import (
	"github.com/securepair/securepair/record"
	"golang.org/x/crypto/cryptobyte"
)

// ClientHello is the first message of a handshake. Extensions holds every
// extension as sent, in order; Marshal writes exactly those. The fields below
// Extensions are decoded views that Unmarshal fills.
type ClientHello struct {
	Version            uint16
	Random             [32]byte
	SessionID          []byte
	CipherSuites       []uint16
	CompressionMethods []uint8
	Extensions         []Extension

	ServerName           string
	SupportedGroups      []uint16
	SignatureAlgorithms  []uint16
	SignatureAlgsCert    []uint16
	SupportedVersions    []uint16
	KeyShares            []KeyShare // nil when the extension is absent
	ALPN                 []string
	PSKModes             []uint8
	PSKIdentities        []PSKIdentity
	PSKBinders           [][]byte
	EarlyData            bool
	Cookie               []byte
	StatusRequest        bool
	SCT                  bool
	ECPointFormats       []uint8
	RenegotiationInfo    []byte // nil when absent
	ExtendedMasterSecret bool
	SessionTicket        []byte // nil when absent
	CompressCertificate  []uint16
	NextProtoNeg         bool
	PostHandshakeAuth    bool
}

// marshal encodes the whole message, header included.
func (m *ClientHello) marshal() []byte {
	return marshalMessage(TypeClientHello, func(b *cryptobyte.Builder) {
		b.AddUint16(m.Version)
		b.AddBytes(m.Random[:])
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.SessionID) })
		addUint16List(b, m.CipherSuites)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(m.CompressionMethods) })
		if m.Extensions != nil {
			addExtensions(b, m.Extensions)
		}
	})
}

// unmarshal decodes a whole ClientHello message, header included.
func (m *ClientHello) unmarshal(raw []byte) error {
	*m = ClientHello{}
	s, err := openMessage(raw, TypeClientHello, "ClientHello")
	if err != nil {
		return err
	}
	var sid, comp cryptobyte.String
	var random []byte
	if !s.ReadUint16(&m.Version) || !s.ReadBytes(&random, 32) ||
		!s.ReadUint8LengthPrefixed(&sid) || len(sid) > 32 ||
		!readUint16List(&s, &m.CipherSuites) || len(m.CipherSuites) == 0 ||
		!s.ReadUint8LengthPrefixed(&comp) || len(comp) == 0 {
		return decodeErr("ClientHello")
	}
	copy(m.Random[:], random)
	m.SessionID = sid
	m.CompressionMethods = comp
	if m.Extensions, err = readExtensions(&s); err != nil {
		return err
	}
	if !s.Empty() {
		return decodeErr("ClientHello")
	}
	for i, e := range m.Extensions {
		if e.Type == ExtPreSharedKey && i != len(m.Extensions)-1 {
			return record.Errorf(record.AlertIllegalParameter, "pre_shared_key is not the last extension")
		}
		if !m.decodeExtension(e) {
			return decodeErr("ClientHello extension " + ExtensionName(e.Type))
		}
	}
	return nil
}

// decodeExtension fills the decoded view of one known extension; unknown
// extensions (GREASE included) stay as raw bytes only.
func (m *ClientHello) decodeExtension(e Extension) bool {
	d := cryptobyte.String(e.Data)
	switch e.Type {
	case ExtServerName:
		return decodeServerName(d, &m.ServerName)
	case ExtSupportedGroups:
		return decodeUint16List(d, &m.SupportedGroups)
	case ExtSignatureAlgorithms:
		return decodeUint16List(d, &m.SignatureAlgorithms)
	case ExtSignatureAlgsCert:
		return decodeUint16List(d, &m.SignatureAlgsCert)
	case ExtSupportedVersions:
		return decodeUint16List8(d, &m.SupportedVersions)
	case ExtKeyShare:
		return decodeClientKeyShares(d, &m.KeyShares)
	case ExtALPN:
		return decodeALPN(d, &m.ALPN)
	case ExtPSKModes:
		return decodeUint8List(d, &m.PSKModes)
	case ExtPreSharedKey:
		return decodePSKOffer(d, &m.PSKIdentities, &m.PSKBinders)
	case ExtEarlyData:
		m.EarlyData = true
		return d.Empty()
	case ExtCookie:
		return decodeOpaque16(d, &m.Cookie)
	case ExtStatusRequest:
		m.StatusRequest = true
		return decodeStatusRequest(d)
	case ExtSCT:
		m.SCT = true
		return d.Empty()
	case ExtPadding:
		return decodePadding(d)
	case ExtECPointFormats:
		return decodeUint8List(d, &m.ECPointFormats)
	case ExtRenegotiationInfo:
		return decodeOpaque8(d, &m.RenegotiationInfo)
	case ExtExtendedMasterSecret:
		m.ExtendedMasterSecret = true
		return d.Empty()
	case ExtSessionTicket:
		m.SessionTicket = append([]byte{}, d...)
		return true
	case ExtCompressCertificate:
		return decodeUint16List8(d, &m.CompressCertificate)
	case ExtNextProtoNeg:
		m.NextProtoNeg = true
		return d.Empty()
	case ExtPostHandshakeAuth:
		m.PostHandshakeAuth = true
		return d.Empty()
	}
	return true
}

// HasExtension reports whether the hello carries an extension of type typ.
func (m *ClientHello) HasExtension(typ uint16) bool {
	for _, e := range m.Extensions {
		if e.Type == typ {
			return true
		}
	}
	return false
}

// ExtensionName returns the IANA name of an extension type, or its number.
func ExtensionName(typ uint16) string {
	if n, ok := extensionNames[typ]; ok {
		return n
	}
	return "unknown"
}

// extensionNames is a read-only table.
var extensionNames = map[uint16]string{
	ExtServerName: "server_name", ExtStatusRequest: "status_request", ExtSupportedGroups: "supported_groups",
	ExtECPointFormats: "ec_point_formats", ExtSignatureAlgorithms: "signature_algorithms", ExtALPN: "alpn",
	ExtSCT: "signed_certificate_timestamp", ExtPadding: "padding", ExtExtendedMasterSecret: "extended_master_secret",
	ExtCompressCertificate: "compress_certificate", ExtSessionTicket: "session_ticket", ExtPreSharedKey: "pre_shared_key",
	ExtEarlyData: "early_data", ExtSupportedVersions: "supported_versions", ExtCookie: "cookie",
	ExtPSKModes: "psk_key_exchange_modes", ExtSignatureAlgsCert: "signature_algorithms_cert", ExtKeyShare: "key_share",
	ExtNextProtoNeg: "next_protocol_negotiation", ExtRenegotiationInfo: "renegotiation_info",
	ExtPostHandshakeAuth: "post_handshake_auth",
}
