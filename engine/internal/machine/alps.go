package machine

import (
	"golang.org/x/crypto/cryptobyte"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// ALPS (application_settings, draft-vvv-tls-alps): after ALPN, each side
// sends opaque settings for the chosen protocol in EncryptedExtensions,
// the client in an EncryptedExtensions message of its own. Two code points
// are in use: the first experimental one and its replacement.
const (
	extALPSOld uint16 = 17513
	extALPS    uint16 = 17613
)

// alpsOffer is the ALPS extension of a ClientHello: its code point and the
// protocols it supports ALPS for; ok is false without one (or malformed).
func alpsOffer(ch *handshake.ClientHello) (codepoint uint16, protos []string, ok bool) {
	for _, e := range ch.Extensions {
		if e.Type != extALPS && e.Type != extALPSOld {
			continue
		}
		s := cryptobyte.String(e.Data)
		var list cryptobyte.String
		if !s.ReadUint16LengthPrefixed(&list) || !s.Empty() {
			return 0, nil, false
		}
		for !list.Empty() {
			var p cryptobyte.String
			if !list.ReadUint8LengthPrefixed(&p) || len(p) == 0 {
				return 0, nil, false
			}
			protos = append(protos, string(p))
		}
		return e.Type, protos, true
	}
	return 0, nil, false
}

// alpsIn returns the settings an ALPS extension carries in exts.
func alpsIn(exts []handshake.Extension) ([]byte, uint16, bool) {
	for _, e := range exts {
		if e.Type == extALPS || e.Type == extALPSOld {
			return e.Data, e.Type, true
		}
	}
	return nil, 0, false
}

// clientEncryptedExtensions is the client's EncryptedExtensions with its
// settings for protocol (empty when the Config has none).
func clientEncryptedExtensions(cfg *Config, codepoint uint16, protocol string) []byte {
	settings := cfg.ApplicationSettings[protocol]
	ee := &handshake.EncryptedExtensions{Extensions: []handshake.Extension{{Type: codepoint, Data: append([]byte{}, settings...)}}}
	return handshake.Marshal(ee)
}

// serverExpectClientEncryptedExtensions waits for the client's
// EncryptedExtensions once the server negotiated ALPS: omitted is
// unexpected_message, without application_settings missing_extension, any
// other extension unsupported_extension.
type serverExpectClientEncryptedExtensions struct {
	next  State
	t     *handshake.Transcript
	state *ConnectionState
}

func (s *serverExpectClientEncryptedExtensions) Handle(raw []byte, out Sink) (State, error) {
	ee, err := expect[handshake.EncryptedExtensions](raw)
	if err != nil {
		return nil, err
	}
	settings, _, ok := alpsIn(ee.Extensions)
	if !ok {
		return nil, record.Errorf(record.AlertMissingExtension, "client EncryptedExtensions without application_settings")
	}
	if len(ee.Extensions) != 1 {
		return nil, record.Errorf(record.AlertUnsupportedExtension, "client EncryptedExtensions with more than application_settings")
	}
	s.state.PeerApplicationSettings = append([]byte{}, settings...)
	s.t.Add(raw)
	return s.next, nil
}
