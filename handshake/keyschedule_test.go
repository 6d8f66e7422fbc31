package handshake

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/securepair/securepair/record"
)

// The TLS 1.2 PRF reproduces the widely used P_SHA256 test vector.
func TestPRF12(t *testing.T) {
	secret, _ := hex.DecodeString("9bbe436ba940f017b17652849a71db35")
	seed, _ := hex.DecodeString("a0ba9f936cda311827a6f796ffd5198c")
	want, _ := hex.DecodeString("e3f229ba727be17b8d122620557cd453")
	if got := Suite12ByID(TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256).PRF(secret, "test label", seed, 16); !bytes.Equal(got, want) {
		t.Fatalf("PRF: %x, want %x", got, want)
	}
}

// The TLS 1.2 key schedule derives what RFC 7627 and RFC 5246 sections 6.3
// and 7.4.9 define from the PRF: the extended master secret, the key block in
// the order client MAC key, server MAC key (CBC suites), client key, server
// key, client IV, server IV, and verify_data.
func TestKeySchedule12(t *testing.T) {
	for _, s := range suites12 {
		t.Run(s.Name, func(t *testing.T) {
			premaster, hash := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, s.Hash.Size())
			cr, sr := bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{4}, 32)
			master := s.MasterSecret(premaster, hash)
			if !bytes.Equal(master, s.PRF(premaster, "extended master secret", hash, 48)) {
				t.Fatal("master secret")
			}
			legacy := s.LegacyMasterSecret(premaster, cr, sr) // RFC 5246 section 8.1
			if !bytes.Equal(legacy, s.PRF(premaster, "master secret", append(append([]byte{}, cr...), sr...), 48)) {
				t.Fatal("legacy master secret")
			}
			k := s.KeyBlock(master, cr, sr)
			macLen, keyLen, ivLen := 0, s.AEAD.KeyLen(), record.IVLen12(s.AEAD)
			if s.MAC != 0 { // CBC: MAC keys first, 16-byte IVs (RFC 5246 section 6.3)
				macLen, keyLen, ivLen = s.MAC.Size(), s.CBCKeyLen, 16
				if s.TripleDES {
					ivLen = 8 // the block size
				}
			}
			block := s.PRF(master, "key expansion", append(append([]byte{}, sr...), cr...), 2*macLen+2*keyLen+2*ivLen)
			if !bytes.Equal(bytes.Join([][]byte{k.ClientMAC, k.ServerMAC, k.ClientKey, k.ServerKey, k.ClientIV, k.ServerIV}, nil), block) ||
				len(k.ClientMAC) != macLen || len(k.ClientKey) != keyLen || len(k.ServerIV) != ivLen {
				t.Fatal("key block")
			}
			if s.MAC == 0 {
				if _, err := record.NewProtector12(s.AEAD, k.ClientKey, k.ClientIV); err != nil {
					t.Fatal(err)
				}
			}
			fin := s.FinishedVerifyData(master, true, hash)
			if len(fin) != 12 || bytes.Equal(fin, s.FinishedVerifyData(master, false, hash)) {
				t.Fatal("client and server verify_data must differ, 12 bytes each")
			}
			if !bytes.Equal(fin, s.PRF(master, "client finished", hash, 12)) {
				t.Fatal("verify_data")
			}
		})
	}
	if Suite12ByID(TLS_AES_128_GCM_SHA256) != nil || Suite13ByID(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) != nil {
		t.Fatal("a suite of one version found among the other's")
	}
	if SuiteName(0x0005) != "unknown" || SuiteName(TLS_CHACHA20_POLY1305_SHA256) != "TLS_CHACHA20_POLY1305_SHA256" {
		t.Fatal("suite names")
	}
}

// hkdfExpandLabel is RFC 8446 section 7.1's HKDF-Expand-Label written out
// with crypto/hkdf, as an oracle for the key schedule's own.
func hkdfExpandLabel(t *testing.T, secret []byte, label string, context []byte, length int) []byte {
	info := []byte{byte(length >> 8), byte(length), byte(6 + len(label))}
	info = append(append(info, "tls13 "+label...), byte(len(context)))
	info = append(info, context...)
	out, err := hkdf.Expand(sha256.New, secret, string(info), length)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Exported keying material is RFC 8446 section 7.5's
// HKDF-Expand-Label(Derive-Secret(secret, label, ""), "exporter", Hash(context), length).
func TestExportKeyingMaterial(t *testing.T) {
	s := Suite13ByID(TLS_AES_128_GCM_SHA256)
	secret := bytes.Repeat([]byte{9}, 32)
	empty, ctx := sha256.Sum256(nil), sha256.Sum256([]byte("context"))
	derived := hkdfExpandLabel(t, secret, "EXPERIMENTAL label", empty[:], 32)
	for _, length := range []int{1, 32, 42, 200} {
		want := hkdfExpandLabel(t, derived, "exporter", ctx[:], length)
		if got := s.ExportKeyingMaterial(secret, "EXPERIMENTAL label", []byte("context"), length); !bytes.Equal(got, want) {
			t.Fatalf("length %d: %x, want %x", length, got, want)
		}
	}
}

// The KeyUpdate step and the HelloRetryRequest message_hash follow RFC 8446
// sections 7.2 and 4.4.1, computed here with HKDF directly.
func TestNextTrafficSecretAndMessageHash(t *testing.T) {
	s := Suite13ByID(TLS_AES_128_GCM_SHA256)
	secret := bytes.Repeat([]byte{7}, 32)
	want := hkdfExpandLabel(t, secret, "traffic upd", nil, 32)
	if got := s.NextTrafficSecret(secret); !bytes.Equal(got, want) {
		t.Fatalf("traffic upd %x, want %x", got, want)
	}
	hello := []byte("a first ClientHello")
	sum := sha256.Sum256(hello)
	if got := MessageHash(s, hello); !bytes.Equal(got, append([]byte{254, 0, 0, 32}, sum[:]...)) {
		t.Fatalf("message_hash %x", got)
	}
	if p, err := s.NewProtector(secret); err != nil || p == nil {
		t.Fatal(err)
	}
}
