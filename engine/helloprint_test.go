package engine

import (
	"testing"

	"github.com/securepair/securepair/handshake"
)

// The compact copy of a hello gives the same fingerprint as the hello.
func TestHelloPrintKeepsTheFingerprint(t *testing.T) {
	for _, ch := range []*handshake.ClientHello{
		{Version: handshake.VersionTLS12, CipherSuites: []uint16{0x1301}},
		{
			Version:             handshake.VersionTLS12,
			CipherSuites:        []uint16{0x0a0a, 0x1301, 0x1302, 0xc02b},
			Extensions:          []handshake.Extension{{Type: 0x0a0a}, handshake.ServerNameExt("x.test"), {Type: handshake.ExtALPN}, {Type: handshake.ExtSupportedGroups}},
			ALPN:                []string{"h2", "http/1.1"},
			SupportedGroups:     []uint16{0x0a0a, 29, 23},
			SignatureAlgorithms: []uint16{0x0403, 0x0804},
			SupportedVersions:   []uint16{0x0a0a, 0x0304, 0x0303},
			ECPointFormats:      []uint8{0},
		},
	} {
		if got, want := newHelloPrint(ch).hello().Fingerprint(), ch.Fingerprint(); got != want {
			t.Errorf("fingerprint %+v, want %+v", got, want)
		}
	}
}
