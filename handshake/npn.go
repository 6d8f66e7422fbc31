package handshake

import (
	"errors"

	"golang.org/x/crypto/cryptobyte"
)

// ParseNPNList turns Node's length-prefixed protocol list ("\x05hello\x05world")
// into protocol names.
func ParseNPNList(wire []byte) ([]string, error) {
	var out []string
	s := cryptobyte.String(wire)
	for !s.Empty() {
		var p cryptobyte.String
		if !s.ReadUint8LengthPrefixed(&p) || len(p) == 0 {
			return nil, errors.New("handshake: malformed length-prefixed protocol list")
		}
		out = append(out, string(p))
	}
	return out, nil
}

// NPNExt encodes a server's NPN extension: its protocol list.
func NPNExt(protos []string) Extension {
	return NewExtension(ExtNextProtoNeg, func(b *cryptobyte.Builder) {
		for _, p := range protos {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(p)) })
		}
	})
}

// decodeNPNList decodes a server's NPN extension body.
func decodeNPNList(d cryptobyte.String, out *[]string) bool {
	*out = []string{}
	for !d.Empty() {
		var p cryptobyte.String
		if !d.ReadUint8LengthPrefixed(&p) || len(p) == 0 {
			return false
		}
		*out = append(*out, string(p))
	}
	return true
}
