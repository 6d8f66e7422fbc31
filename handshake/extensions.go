package handshake

import (
	"github.com/securepair/securepair/record"
	"golang.org/x/crypto/cryptobyte"
)

// Extension type codes seen in real hellos.
const (
	ExtServerName           uint16 = 0
	ExtStatusRequest        uint16 = 5
	ExtSupportedGroups      uint16 = 10
	ExtECPointFormats       uint16 = 11
	ExtSignatureAlgorithms  uint16 = 13
	ExtALPN                 uint16 = 16
	ExtSCT                  uint16 = 18
	ExtPadding              uint16 = 21
	ExtExtendedMasterSecret uint16 = 23
	ExtCompressCertificate  uint16 = 27
	ExtSessionTicket        uint16 = 35
	ExtPreSharedKey         uint16 = 41
	ExtEarlyData            uint16 = 42
	ExtSupportedVersions    uint16 = 43
	ExtCookie               uint16 = 44
	ExtPSKModes             uint16 = 45
	ExtPostHandshakeAuth    uint16 = 49
	ExtSignatureAlgsCert    uint16 = 50
	ExtKeyShare             uint16 = 51
	ExtNextProtoNeg         uint16 = 13172
	ExtRenegotiationInfo    uint16 = 0xff01
)

// Extension is one extension as it stands on the wire. Messages keep every
// extension they carry, known or not, in order, so re-encoding is exact.
type Extension struct {
	Type uint16
	Data []byte
}

// IsGREASE reports whether v is one of the reserved GREASE values (RFC 8701).
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// KeyShare is one key_share entry.
type KeyShare struct {
	Group uint16
	Data  []byte
}

// PSKIdentity is one identity of a pre_shared_key extension.
type PSKIdentity struct {
	Identity            []byte
	ObfuscatedTicketAge uint32
}

// readExtensions splits an extensions block, refusing duplicates.
func readExtensions(s *cryptobyte.String) ([]Extension, error) {
	if s.Empty() {
		return nil, nil // the block may be absent altogether
	}
	var block cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&block) {
		return nil, decodeErr("extensions block")
	}
	return parseExtensions(block)
}

// parseExtensions splits the contents of an extensions block.
func parseExtensions(block cryptobyte.String) ([]Extension, error) {
	var exts []Extension
	seen := map[uint16]bool{}
	for !block.Empty() {
		var e Extension
		var data cryptobyte.String
		if !block.ReadUint16(&e.Type) || !block.ReadUint16LengthPrefixed(&data) {
			return nil, decodeErr("extension")
		}
		if seen[e.Type] {
			return nil, record.Errorf(record.AlertIllegalParameter, "duplicate extension %d", e.Type)
		}
		seen[e.Type] = true
		e.Data = data
		exts = append(exts, e)
	}
	return exts, nil
}

func addExtensions(b *cryptobyte.Builder, exts []Extension) {
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, e := range exts {
			b.AddUint16(e.Type)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.Data) })
		}
	})
}

// NewExtension builds one extension from its body.
func NewExtension(typ uint16, body func(b *cryptobyte.Builder)) Extension {
	var b cryptobyte.Builder
	body(&b)
	return Extension{Type: typ, Data: b.BytesOrPanic()}
}

// ServerNameExt encodes server_name with one host_name entry; an empty name
// gives the empty acknowledgement a server sends.
func ServerNameExt(name string) Extension {
	return NewExtension(ExtServerName, func(b *cryptobyte.Builder) {
		if name == "" {
			return
		}
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint8(0)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(name)) })
		})
	})
}

// Uint16ListExt encodes supported_groups, signature_algorithms and friends.
func Uint16ListExt(typ uint16, list []uint16) Extension {
	return NewExtension(typ, func(b *cryptobyte.Builder) { addUint16List(b, list) })
}

// SupportedVersionsClientExt encodes the client's supported_versions.
func SupportedVersionsClientExt(versions []uint16) Extension {
	return NewExtension(ExtSupportedVersions, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, v := range versions {
				b.AddUint16(v)
			}
		})
	})
}

// Uint16Ext encodes an extension whose body is one uint16 (selected version,
// HelloRetryRequest group, selected PSK identity).
func Uint16Ext(typ uint16, v uint16) Extension {
	return NewExtension(typ, func(b *cryptobyte.Builder) { b.AddUint16(v) })
}

// KeyShareClientExt encodes the client's key_share list.
func KeyShareClientExt(shares []KeyShare) Extension {
	return NewExtension(ExtKeyShare, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, ks := range shares {
				addKeyShare(b, ks)
			}
		})
	})
}

// KeyShareServerExt encodes the server's single key_share entry.
func KeyShareServerExt(ks KeyShare) Extension {
	return NewExtension(ExtKeyShare, func(b *cryptobyte.Builder) { addKeyShare(b, ks) })
}

func addKeyShare(b *cryptobyte.Builder, ks KeyShare) {
	b.AddUint16(ks.Group)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(ks.Data) })
}

// ALPNExt encodes application_layer_protocol_negotiation.
func ALPNExt(protos []string) Extension {
	return NewExtension(ExtALPN, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, p := range protos {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
			}
		})
	})
}

// BytesExt encodes an extension whose body is an opaque vector with a 16-bit
// (cookie) or 8-bit (psk modes, point formats, renegotiation_info) length.
func BytesExt(typ uint16, lenBytes int, data []byte) Extension {
	return NewExtension(typ, func(b *cryptobyte.Builder) {
		if lenBytes == 1 {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(data) })
		} else {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(data) })
		}
	})
}

// PreSharedKeyClientExt encodes the client's pre_shared_key offer.
func PreSharedKeyClientExt(ids []PSKIdentity, binders [][]byte) Extension {
	return NewExtension(ExtPreSharedKey, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, id := range ids {
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(id.Identity) })
				b.AddUint32(id.ObfuscatedTicketAge)
			}
		})
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, bd := range binders {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(bd) })
			}
		})
	})
}

// EmptyExt encodes an extension with an empty body (early_data,
// extended_master_secret, SCT request, post_handshake_auth).
func EmptyExt(typ uint16) Extension { return Extension{Type: typ, Data: []byte{}} }

// --- decoders of extension bodies; each returns false on malformed input ---

func decodeServerName(data cryptobyte.String, name *string) bool {
	if data.Empty() {
		return true
	}
	var list cryptobyte.String
	if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() || list.Empty() {
		return false
	}
	for !list.Empty() {
		var typ uint8
		var host cryptobyte.String
		if !list.ReadUint8(&typ) || !list.ReadUint16LengthPrefixed(&host) {
			return false
		}
		if typ == 0 {
			if len(host) == 0 || *name != "" {
				return false
			}
			*name = string(host)
		}
	}
	return true
}

func decodeUint16List(data cryptobyte.String, out *[]uint16) bool {
	return readUint16List(&data, out) && data.Empty() && len(*out) > 0
}

func decodeUint8List(data cryptobyte.String, out *[]uint8) bool {
	var list cryptobyte.String
	if !data.ReadUint8LengthPrefixed(&list) || !data.Empty() || list.Empty() {
		return false
	}
	*out = append([]uint8(nil), list...)
	return true
}

// decodeUint16List8 decodes a non-empty list of uint16 with an 8-bit length
// (supported_versions, compress_certificate).
func decodeUint16List8(data cryptobyte.String, out *[]uint16) bool {
	var list cryptobyte.String
	if !data.ReadUint8LengthPrefixed(&list) || !data.Empty() || list.Empty() || len(list)%2 != 0 {
		return false
	}
	for !list.Empty() {
		var v uint16
		list.ReadUint16(&v)
		*out = append(*out, v)
	}
	return true
}

func decodeClientKeyShares(data cryptobyte.String, out *[]KeyShare) bool {
	var list cryptobyte.String
	if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() {
		return false
	}
	*out = []KeyShare{}
	for !list.Empty() {
		var ks KeyShare
		if !readKeyShare(&list, &ks) {
			return false
		}
		*out = append(*out, ks)
	}
	return true
}

func readKeyShare(s *cryptobyte.String, ks *KeyShare) bool {
	var d cryptobyte.String
	if !s.ReadUint16(&ks.Group) || !s.ReadUint16LengthPrefixed(&d) || len(d) == 0 {
		return false
	}
	ks.Data = d
	return true
}

func decodeALPN(data cryptobyte.String, out *[]string) bool {
	var list cryptobyte.String
	if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() || list.Empty() {
		return false
	}
	for !list.Empty() {
		var p cryptobyte.String
		if !list.ReadUint8LengthPrefixed(&p) || len(p) == 0 {
			return false
		}
		*out = append(*out, string(p))
	}
	return true
}

func decodeOpaque16(data cryptobyte.String, out *[]byte) bool {
	var v cryptobyte.String
	if !data.ReadUint16LengthPrefixed(&v) || !data.Empty() || len(v) == 0 {
		return false
	}
	*out = v
	return true
}

func decodeOpaque8(data cryptobyte.String, out *[]byte) bool {
	var v cryptobyte.String
	if !data.ReadUint8LengthPrefixed(&v) || !data.Empty() {
		return false
	}
	*out = append([]byte{}, v...)
	return true
}

func decodeUint16(data cryptobyte.String, out *uint16) bool {
	return data.ReadUint16(out) && data.Empty()
}

func decodePSKOffer(data cryptobyte.String, ids *[]PSKIdentity, binders *[][]byte) bool {
	var idList, binderList cryptobyte.String
	if !data.ReadUint16LengthPrefixed(&idList) || !data.ReadUint16LengthPrefixed(&binderList) || !data.Empty() {
		return false
	}
	for !idList.Empty() {
		var id PSKIdentity
		var v cryptobyte.String
		if !idList.ReadUint16LengthPrefixed(&v) || len(v) == 0 || !idList.ReadUint32(&id.ObfuscatedTicketAge) {
			return false
		}
		id.Identity = v
		*ids = append(*ids, id)
	}
	for !binderList.Empty() {
		var v cryptobyte.String
		if !binderList.ReadUint8LengthPrefixed(&v) || len(v) < 32 {
			return false
		}
		*binders = append(*binders, v)
	}
	return len(*ids) > 0 && len(*ids) == len(*binders)
}

func decodeStatusRequest(data cryptobyte.String) bool {
	var typ uint8
	var responders, exts cryptobyte.String
	return data.ReadUint8(&typ) && data.ReadUint16LengthPrefixed(&responders) &&
		data.ReadUint16LengthPrefixed(&exts) && data.Empty()
}

func decodePadding(data cryptobyte.String) bool {
	for _, b := range data {
		if b != 0 {
			return false
		}
	}
	return true
}

// StatusRequestExt encodes an OCSP status_request with no responder IDs and
// no request extensions, as browsers send it.
func StatusRequestExt() Extension {
	return NewExtension(ExtStatusRequest, func(b *cryptobyte.Builder) {
		b.AddUint8(1) // ocsp
		b.AddUint16(0)
		b.AddUint16(0)
	})
}

// CompressCertificateExt encodes compress_certificate (RFC 8879).
func CompressCertificateExt(algorithms []uint16) Extension {
	return NewExtension(ExtCompressCertificate, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, a := range algorithms {
				b.AddUint16(a)
			}
		})
	})
}

// PaddingExt encodes a padding extension of n zero bytes (RFC 7685).
func PaddingExt(n int) Extension {
	return Extension{Type: ExtPadding, Data: make([]byte, n)}
}
