package handshake

import (
	"bytes"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

// Every TLS 1.2 message decodes to the values it was built from and
// re-encodes byte for byte.
func TestMessages12RoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var built, fresh Message
		switch rapid.IntRange(0, 6).Draw(t, "message") {
		case 0:
			built, fresh = &Certificate12{Chain: rapid.SliceOfN(nonEmptyBytes(300), 1, 4).Draw(t, "chain")}, new(Certificate12)
		case 1:
			built, fresh = &ServerKeyExchange{Group: rapid.Uint16().Draw(t, "group"), Public: nonEmptyBytes(97).Draw(t, "pub"),
				Scheme: rapid.Uint16().Draw(t, "scheme"), Signature: nonEmptyBytes(256).Draw(t, "sig")}, new(ServerKeyExchange)
		case 2:
			built, fresh = &ClientKeyExchange{Public: nonEmptyBytes(97).Draw(t, "pub")}, new(ClientKeyExchange)
		case 3:
			req := &CertificateRequest12{CertificateTypes: rapid.SliceOfN(rapid.Byte(), 1, 4).Draw(t, "types"),
				SignatureAlgorithms: rapid.SliceOfN(rapid.Uint16(), 1, 8).Draw(t, "sigs"),
				Authorities:         rapid.SliceOfN(nonEmptyBytes(64), 1, 3).Draw(t, "cas")}
			if rapid.Bool().Draw(t, "no authorities") {
				req.Authorities = nil
			}
			built, fresh = req, new(CertificateRequest12)
		case 4:
			built, fresh = &NextProtocol{Protocol: protocolName().Draw(t, "proto")}, new(NextProtocol)
		case 5:
			built, fresh = &NewSessionTicket12{LifetimeHint: rapid.Uint32().Draw(t, "hint"), Ticket: nonEmptyBytes(200).Draw(t, "ticket")}, new(NewSessionTicket12)
		case 6:
			sh := &ServerHello{Version: VersionTLS12, SessionID: rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "sid"),
				CipherSuite: rapid.Uint16().Draw(t, "suite"),
				Extensions:  []Extension{BytesExt(ExtRenegotiationInfo, 1, nil), EmptyExt(ExtExtendedMasterSecret)}}
			if rapid.Bool().Draw(t, "npn") {
				sh.Extensions = append(sh.Extensions, NPNExt(rapid.SliceOfN(protocolName(), 1, 3).Draw(t, "protos")))
			} else {
				sh.Extensions = append(sh.Extensions, ALPNExt([]string{protocolName().Draw(t, "alpn")}))
			}
			if rapid.Bool().Draw(t, "ticket") {
				sh.Extensions = append(sh.Extensions, EmptyExt(ExtSessionTicket))
			}
			built, fresh = sh, new(ServerHello)
		}
		raw := Marshal(built)
		roundTrip(t, raw, fresh)
		if sh, ok := fresh.(*ServerHello); ok {
			if !sh.ExtendedMasterSecret || sh.RenegotiationInfo == nil || (sh.ALPN == "" && sh.NPNProtocols == nil) {
				t.Fatalf("TLS 1.2 extensions not decoded: %+v", sh)
			}
			return
		}
		if !reflect.DeepEqual(built, fresh) {
			t.Fatalf("decoded %+v, built %+v", fresh, built)
		}
	})
}

// NextProtocol pads to a multiple of 32 bytes (draft-agl-tls-nextprotoneg-03
// section 3) and the padding is not part of the protocol.
func TestNextProtocolPadding(t *testing.T) {
	for _, proto := range []string{"h2", "http/1.1", "a-protocol-name-of-thirty-bytes"} {
		raw := Marshal(&NextProtocol{Protocol: proto})
		if (len(raw)-HeaderLen)%32 != 0 {
			t.Errorf("%q: body of %d bytes", proto, len(raw)-HeaderLen)
		}
	}
}

// A message of another type is unexpected_message, an empty one too.
func TestUnmarshalWrongType(t *testing.T) {
	for _, raw := range [][]byte{Marshal(&KeyUpdate{}), {}, {byte(TypeFinished)}} {
		err := Unmarshal(raw, new(ClientKeyExchange))
		wantAlertCode(t, err, 10) // unexpected_message
	}
}

// With RSA key exchange the ClientKeyExchange carries the encrypted
// premaster behind a two-byte length (RFC 5246 section 7.4.7.1), not an
// ECDHE share's one-byte length.
func TestClientKeyExchangeRSA(t *testing.T) {
	encrypted := bytes.Repeat([]byte{0xab}, 256)
	raw := Marshal(&ClientKeyExchange{EncryptedPremaster: encrypted})
	want := append([]byte{byte(TypeClientKeyExchange), 0, 1, 2, 1, 0}, encrypted...)
	if !bytes.Equal(raw, want) {
		t.Fatalf("%x", raw[:8])
	}
}
