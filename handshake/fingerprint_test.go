package handshake

import "testing"

// specHello is the ClientHello of the JA4 specification's worked example
// (technical details, "Example"): its 15 ciphers and 16 extensions in their
// order, ALPN h2, its eight signature algorithms, plus GREASE values, which
// both fingerprints leave out.
func specHello(t *testing.T) *ClientHello {
	t.Helper()
	const grease = 0x0a0a
	ch := &ClientHello{
		Version: VersionTLS12,
		CipherSuites: []uint16{grease, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
			0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		CompressionMethods: []uint8{0},
		Extensions: []Extension{
			EmptyExt(0x1a1a), // GREASE
			CompressCertificateExt([]uint16{2}),
			ServerNameExt("example.com"),
			KeyShareClientExt([]KeyShare{{Group: GroupX25519, Data: make([]byte, 32)}}),
			ALPNExt([]string{"h2", "http/1.1"}),
			BytesExt(0x4469, 2, []byte{0, 3, 2, 'h', '2'}),
			EmptyExt(ExtExtendedMasterSecret),
			BytesExt(ExtPSKModes, 1, []byte{1}),
			Uint16ListExt(ExtSignatureAlgorithms, []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}),
			StatusRequestExt(),
			EmptyExt(ExtSessionTicket),
			EmptyExt(ExtSCT),
			SupportedVersionsClientExt([]uint16{0x2a2a, VersionTLS13, VersionTLS12}),
			BytesExt(ExtRenegotiationInfo, 1, nil),
			BytesExt(ExtECPointFormats, 1, []byte{0}),
			Uint16ListExt(ExtSupportedGroups, []uint16{0x2a2a, GroupX25519, GroupSecp256r1, GroupSecp384r1}),
			PaddingExt(12),
		},
	}
	decoded := new(ClientHello)
	if err := Unmarshal(Marshal(ch), decoded); err != nil {
		t.Fatal(err)
	}
	return decoded
}

// JA4 and JA4_r of the specification's example are the published values;
// JA3 is written out by hand from the same hello (decimal values in order,
// GREASE left out) and its MD5 computed apart.
func TestFingerprintOfSpecExample(t *testing.T) {
	fp := specHello(t).Fingerprint()
	want := Fingerprint{
		JA3: "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53," +
			"27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0",
		JA3Hash: "c000e2caf3a25423f9de6c8a4b12a975",
		JA4:     "t13d1516h2_8daaf6152771_e5627efa2ab1",
		JA4Raw: "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_" +
			"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601",
	}
	if fp != want {
		t.Fatalf("fingerprint\n got %+v\nwant %+v", fp, want)
	}
}

// The parts JA4 derives from the hello's details: version without
// supported_versions, no SNI, no ALPN, ALPN protocols that are not
// alphanumeric at either end (the specification's own cases), and no
// signature algorithms or extensions at all.
func TestFingerprintDetails(t *testing.T) {
	bare := &ClientHello{Version: VersionTLS12, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}}
	fp := bare.Fingerprint()
	if fp.JA4 != "t12i010000_"+ja4Hash("c02b")+"_000000000000" || fp.JA3 != "771,49195,,," {
		t.Fatalf("bare hello: %+v", fp)
	}
	for proto, want := range map[string]string{
		"\xab": "ab", "\xab\xcd": "ad", "0\xab": "3b", "01\xab\xcd": "3d", "0\xab\xcd1": "01", "h": "hh", "http/1.1": "h1",
	} {
		if got := ja4ALPN([]string{proto}); got != want {
			t.Errorf("ALPN %q: %q, want %q", proto, got, want)
		}
	}
	withExts := &ClientHello{Version: VersionTLS12, Extensions: []Extension{EmptyExt(ExtExtendedMasterSecret)}}
	if got := withExts.ja4Extensions(); got != "0017" {
		t.Fatalf("extensions without signature algorithms: %q (no underscore)", got)
	}
}
