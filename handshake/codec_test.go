package handshake

import (
	"bytes"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

func nonEmptyBytes(max int) *rapid.Generator[[]byte] {
	return rapid.SliceOfN(rapid.Byte(), 1, max)
}

func protocolName() *rapid.Generator[string] {
	return rapid.StringMatching(`[a-z0-9/.]{1,12}`)
}

// roundTrip checks that raw decodes into fresh and re-encodes to raw.
func roundTrip(t *rapid.T, raw []byte, fresh Message) {
	if err := Unmarshal(raw, fresh); err != nil {
		t.Fatalf("decoding our own encoding: %v", err)
	}
	if again := Marshal(fresh); !bytes.Equal(again, raw) {
		t.Fatalf("re-encoding differs:\n%x\n%x", again, raw)
	}
}

// Every ClientHello built from the extension encoders decodes to the values
// it was built from and re-encodes byte for byte; unknown and GREASE
// extensions survive as raw bytes, in order.
func TestClientHelloRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		want := ClientHello{
			Version:            VersionTLS12,
			SessionID:          rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "sid"),
			CipherSuites:       rapid.SliceOfN(rapid.Uint16(), 1, 20).Draw(t, "suites"),
			CompressionMethods: []uint8{0},
		}
		copy(want.Random[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "random"))
		var exts []Extension
		add := func(e Extension) { exts = append(exts, e) }
		if rapid.Bool().Draw(t, "sni") {
			want.ServerName = rapid.StringMatching(`[a-z]{1,20}\.test`).Draw(t, "name")
			add(ServerNameExt(want.ServerName))
		}
		if rapid.Bool().Draw(t, "groups") {
			want.SupportedGroups = rapid.SliceOfN(rapid.Uint16(), 1, 10).Draw(t, "groupList")
			add(Uint16ListExt(ExtSupportedGroups, want.SupportedGroups))
		}
		if rapid.Bool().Draw(t, "sigalgs") {
			want.SignatureAlgorithms = rapid.SliceOfN(rapid.Uint16(), 1, 10).Draw(t, "sigList")
			add(Uint16ListExt(ExtSignatureAlgorithms, want.SignatureAlgorithms))
		}
		if rapid.Bool().Draw(t, "versions") {
			want.SupportedVersions = rapid.SliceOfN(rapid.Uint16(), 1, 5).Draw(t, "versionList")
			add(SupportedVersionsClientExt(want.SupportedVersions))
		}
		if rapid.Bool().Draw(t, "keyshare") {
			n := rapid.IntRange(0, 3).Draw(t, "shares")
			want.KeyShares = []KeyShare{}
			for i := 0; i < n; i++ {
				want.KeyShares = append(want.KeyShares, KeyShare{Group: rapid.Uint16().Draw(t, "g"), Data: nonEmptyBytes(100).Draw(t, "share")})
			}
			add(KeyShareClientExt(want.KeyShares))
		}
		if rapid.Bool().Draw(t, "alpn") {
			want.ALPN = rapid.SliceOfN(protocolName(), 1, 4).Draw(t, "protos")
			add(ALPNExt(want.ALPN))
		}
		if rapid.Bool().Draw(t, "cookie") {
			want.Cookie = nonEmptyBytes(50).Draw(t, "cookieData")
			add(BytesExt(ExtCookie, 2, want.Cookie))
		}
		if rapid.Bool().Draw(t, "reneg") {
			want.RenegotiationInfo = rapid.SliceOfN(rapid.Byte(), 0, 12).Draw(t, "renegData")
			add(BytesExt(ExtRenegotiationInfo, 1, want.RenegotiationInfo))
		}
		if rapid.Bool().Draw(t, "ems") {
			want.ExtendedMasterSecret = true
			add(EmptyExt(ExtExtendedMasterSecret))
		}
		if rapid.Bool().Draw(t, "status") {
			want.StatusRequest = true
			add(StatusRequestExt())
		}
		if rapid.Bool().Draw(t, "compress") {
			want.CompressCertificate = rapid.SliceOfN(rapid.Uint16(), 1, 3).Draw(t, "compressAlgs")
			add(CompressCertificateExt(want.CompressCertificate))
		}
		if rapid.Bool().Draw(t, "sct") {
			want.SCT = true
			add(EmptyExt(ExtSCT))
		}
		if rapid.Bool().Draw(t, "earlydata") {
			want.EarlyData = true
			add(EmptyExt(ExtEarlyData))
		}
		if rapid.Bool().Draw(t, "points") {
			want.ECPointFormats = rapid.SliceOfN(rapid.Byte(), 1, 3).Draw(t, "pointFormats")
			add(BytesExt(ExtECPointFormats, 1, want.ECPointFormats))
		}
		if rapid.Bool().Draw(t, "pskmodes") {
			want.PSKModes = rapid.SliceOfN(rapid.Byte(), 1, 2).Draw(t, "modes")
			add(BytesExt(ExtPSKModes, 1, want.PSKModes))
		}
		if rapid.Bool().Draw(t, "sigalgscert") {
			want.SignatureAlgsCert = rapid.SliceOfN(rapid.Uint16(), 1, 5).Draw(t, "sigCertList")
			add(Uint16ListExt(ExtSignatureAlgsCert, want.SignatureAlgsCert))
		}
		if rapid.Bool().Draw(t, "ticket") {
			want.SessionTicket = rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "ticketData")
			add(Extension{Type: ExtSessionTicket, Data: want.SessionTicket})
		}
		if rapid.Bool().Draw(t, "padding") {
			add(PaddingExt(rapid.IntRange(0, 300).Draw(t, "padLen")))
		}
		if rapid.Bool().Draw(t, "grease") {
			g := uint16(rapid.IntRange(0, 15).Draw(t, "greaseIndex"))*0x1010 + 0x0a0a
			add(Extension{Type: g, Data: rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "greaseData")})
		}
		if rapid.Bool().Draw(t, "psk") {
			want.PSKIdentities = []PSKIdentity{{Identity: nonEmptyBytes(40).Draw(t, "identity"), ObfuscatedTicketAge: rapid.Uint32().Draw(t, "age")}}
			want.PSKBinders = [][]byte{rapid.SliceOfN(rapid.Byte(), 32, 48).Draw(t, "binder")}
			add(PreSharedKeyClientExt(want.PSKIdentities, want.PSKBinders))
		}
		want.Extensions = exts

		var got ClientHello
		raw := Marshal(&want)
		roundTrip(t, raw, &got)
		want.Extensions, got.Extensions = nil, nil
		if len(exts) == 0 {
			want.Extensions = nil
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("decoded\n%+v\nwant\n%+v", got, want)
		}
	})
}

// normalize maps empty slices to nil so DeepEqual compares values only.
func normalize(m ClientHello) ClientHello {
	if len(m.SessionID) == 0 {
		m.SessionID = nil
	}
	return m
}

// The other TLS 1.3 messages round-trip too.
func TestMessagesRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var raw []byte
		var fresh Message
		switch rapid.IntRange(0, 8).Draw(t, "message") {
		case 8:
			raw, fresh = Marshal(&EndOfEarlyData{}), new(EndOfEarlyData)
		case 0:
			m := &ServerHello{Version: VersionTLS12, SessionID: rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "sid"),
				CipherSuite: rapid.Uint16().Draw(t, "suite"),
				Extensions: []Extension{KeyShareServerExt(KeyShare{Group: rapid.Uint16().Draw(t, "g"), Data: nonEmptyBytes(64).Draw(t, "share")}),
					Uint16Ext(ExtSupportedVersions, VersionTLS13)}}
			raw, fresh = Marshal(m), new(ServerHello)
		case 1:
			m := &EncryptedExtensions{Extensions: []Extension{}}
			if rapid.Bool().Draw(t, "alpn") {
				m.Extensions = append(m.Extensions, ALPNExt([]string{protocolName().Draw(t, "proto")}))
			}
			raw, fresh = Marshal(m), new(EncryptedExtensions)
		case 2:
			m := &Certificate{Context: rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "ctx")}
			for _, d := range rapid.SliceOfN(nonEmptyBytes(300), 0, 4).Draw(t, "certs") {
				m.Entries = append(m.Entries, CertificateEntry{Data: d})
			}
			raw, fresh = Marshal(m), new(Certificate)
		case 3:
			m := &CertificateVerify{Scheme: rapid.Uint16().Draw(t, "scheme"), Signature: nonEmptyBytes(200).Draw(t, "sig")}
			raw, fresh = Marshal(m), new(CertificateVerify)
		case 4:
			m := &Finished{VerifyData: rapid.SliceOfN(rapid.Byte(), 32, 48).Draw(t, "mac")}
			raw, fresh = Marshal(m), new(Finished)
		case 5:
			m := &NewSessionTicket{Lifetime: rapid.Uint32().Draw(t, "life"), AgeAdd: rapid.Uint32().Draw(t, "add"),
				Nonce: rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "nonce"), Ticket: nonEmptyBytes(100).Draw(t, "ticket"), Extensions: []Extension{}}
			raw, fresh = Marshal(m), new(NewSessionTicket)
		case 6:
			m := &KeyUpdate{UpdateRequested: rapid.Bool().Draw(t, "req")}
			raw, fresh = Marshal(m), new(KeyUpdate)
		case 7:
			m := &CertificateRequest{Context: rapid.SliceOfN(rapid.Byte(), 0, 8).Draw(t, "ctx"),
				Extensions: []Extension{Uint16ListExt(ExtSignatureAlgorithms, rapid.SliceOfN(rapid.Uint16(), 1, 8).Draw(t, "sigs"))}}
			raw, fresh = Marshal(m), new(CertificateRequest)
		}
		roundTrip(t, raw, fresh)
	})
}

// Decoders never panic and never accept a message with trailing bytes.
func TestDecodersRejectTrailingBytes(t *testing.T) {
	msgs := []Message{
		&ClientHello{Version: VersionTLS12, CipherSuites: []uint16{0x1301}, CompressionMethods: []uint8{0}, Extensions: []Extension{}},
		&ServerHello{Version: VersionTLS12, Extensions: []Extension{}},
		&CertificateVerify{Scheme: 0x0403, Signature: []byte{1}},
		&KeyUpdate{},
		&NewSessionTicket{Ticket: []byte{1}, Extensions: []Extension{}},
	}
	for _, m := range msgs {
		raw := Marshal(m)
		raw = append(raw, 0)
		raw[3]++ // the header announces the extra byte
		if err := Unmarshal(raw, m); err == nil {
			t.Errorf("%T accepted a trailing byte", m)
		}
	}
}
