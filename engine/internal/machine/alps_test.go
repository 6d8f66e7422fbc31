package machine

import (
	"bytes"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// ALPS between our client and server, and a Chrome shape (which offers ALPS
// for h2) against our server: each side gets the other's settings for the
// negotiated protocol (draft-vvv-tls-alps section 4).
func TestALPS(t *testing.T) {
	chrome := utls.HelloChrome_Auto
	cases := []struct {
		name       string
		client     func(c *Config)
		wantClient []byte // what the server sees
	}{
		{"our client", func(c *Config) {
			c.NextProtos, c.ApplicationSettings = []string{"h2"}, map[string][]byte{"h2": []byte("client settings")}
		}, []byte("client settings")},
		{"Chrome shape", func(c *Config) { c.ClientHelloID = &chrome }, []byte{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
			tc.client(c)
			s.NextProtos, s.ApplicationSettings = []string{"h2"}, map[string][]byte{"h2": []byte("server settings")}
			p := handshakeOK(t, c, s)
			cs, ss := checkAgree(t, p)
			if cs.NegotiatedProtocol != "h2" || !bytes.Equal(cs.PeerApplicationSettings, []byte("server settings")) ||
				!bytes.Equal(ss.PeerApplicationSettings, tc.wantClient) {
				t.Fatalf("client saw %q, server saw %q", cs.PeerApplicationSettings, ss.PeerApplicationSettings)
			}
		})
	}
	// A server without ALPS for the protocol does not negotiate it.
	c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
	c.NextProtos, c.ApplicationSettings = []string{"h2"}, map[string][]byte{"h2": []byte("x")}
	s.NextProtos = []string{"h2"}
	if cs, ss := checkAgree(t, handshakeOK(t, c, s)); cs.PeerApplicationSettings != nil || ss.PeerApplicationSettings != nil {
		t.Fatal("ALPS negotiated by a server without settings")
	}
}

// What each side must refuse (draft-vvv-tls-alps section 4): the client's
// EncryptedExtensions omitted (unexpected_message) or without
// application_settings (missing_extension); settings from a server for a
// protocol the client did not offer ALPS for (illegal_parameter).
func TestALPSRefusals(t *testing.T) {
	setup := func(t *testing.T) *machinePair {
		c, s := clientCfg(t), serverCfg(t, certgen.ECDSAP256)
		c.NextProtos, c.ApplicationSettings = []string{"h2", "http/1.1"}, map[string][]byte{"h2": []byte("c")}
		s.NextProtos, s.ApplicationSettings = []string{"h2"}, map[string][]byte{"h2": []byte("s")}
		p, err := newMachinePair(t, c, s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("client EncryptedExtensions omitted", func(t *testing.T) {
		p := setup(t)
		p.tamper = func(fromClient bool, msg []byte) []byte {
			if fromClient && handshake.MessageType(msg[0]) == handshake.TypeEncryptedExtensions {
				return handshake.Marshal(&handshake.Finished{VerifyData: make([]byte, 32)}) // skip straight to Finished
			}
			return msg
		}
		wantAlert(t, p.run(), record.AlertUnexpectedMessage)
	})
	t.Run("no application_settings", func(t *testing.T) {
		p := setup(t)
		p.tamper = func(fromClient bool, msg []byte) []byte {
			if fromClient && handshake.MessageType(msg[0]) == handshake.TypeEncryptedExtensions {
				return handshake.Marshal(&handshake.EncryptedExtensions{Extensions: []handshake.Extension{}})
			}
			return msg
		}
		wantAlert(t, p.run(), record.AlertMissingExtension)
	})
	t.Run("settings for a protocol not offered for ALPS", func(t *testing.T) {
		p := setup(t)
		p.tamper = switchALPN("http/1.1")
		wantAlert(t, p.run(), record.AlertIllegalParameter)
	})
}
