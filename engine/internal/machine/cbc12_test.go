package machine

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/securepair/securepair/record"
)

func cbcPair(t *testing.T, h crypto.Hash, etm bool) (seal, open *protectorCBC) {
	t.Helper()
	macKey, key := bytes.Repeat([]byte{7}, h.Size()), bytes.Repeat([]byte{9}, 16)
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	return newProtectorCBC(h, macKey, block, etm), newProtectorCBC(h, macKey, block, etm)
}

func openSealed(p *protectorCBC, sealed []byte) (record.ContentType, []byte, error) {
	return p.Open(record.Record{Type: record.ContentType(sealed[0]), Header: sealed[:record.HeaderLen], Body: sealed[record.HeaderLen:]})
}

// Records of every length around the block size survive sealing and
// opening, MAC-then-encrypt and encrypt-then-MAC, AES and 3DES, with every
// MAC hash; the body is whole blocks and no larger than Overhead says.
func TestCBCRoundTrip(t *testing.T) {
	aesBlock, _ := aes.NewCipher(bytes.Repeat([]byte{9}, 16))
	desBlock, _ := des.NewTripleDESCipher(bytes.Repeat([]byte{9}, 24))
	for _, block := range []cipher.Block{aesBlock, desBlock} {
		for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384} {
			for _, etm := range []bool{false, true} {
				seal, open := newProtectorCBC(h, make([]byte, h.Size()), block, etm), newProtectorCBC(h, make([]byte, h.Size()), block, etm)
				for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 31, 32, 100, record.MaxPlaintext} {
					cbcRoundTrip(t, seal, open, n)
				}
			}
		}
	}
}

func cbcRoundTrip(t *testing.T, seal, open *protectorCBC, n int) {
	t.Helper()
	data := bytes.Repeat([]byte{byte(n)}, n)
	sealed, err := seal.Seal(nil, record.TypeApplicationData, data, 0)
	if err != nil {
		t.Fatal(err)
	}
	body, macPart := len(sealed)-record.HeaderLen, 0
	if seal.etm {
		macPart = seal.mac.Size()
	}
	if (body-macPart)%seal.block.BlockSize() != 0 || len(sealed) > n+seal.Overhead() {
		t.Fatalf("etm=%v n=%d: record of %d bytes", seal.etm, n, len(sealed))
	}
	typ, got, err := openSealed(open, sealed)
	if err != nil || typ != record.TypeApplicationData || !bytes.Equal(got, data) {
		t.Fatalf("etm=%v n=%d: %v", seal.etm, n, err)
	}
}

// MAC-then-encrypt records match RFC 5246 section 6.2.3.2 written out with
// crypto/cipher and crypto/hmac: IV, then CBC(data || HMAC || padding).
func TestCBCRecordLayout(t *testing.T) {
	seal, _ := cbcPair(t, crypto.SHA1, false)
	data := []byte("hello")
	sealed, _ := seal.Seal(nil, record.TypeApplicationData, data, 0)
	block, _ := aes.NewCipher(bytes.Repeat([]byte{9}, 16))
	body := append([]byte{}, sealed[record.HeaderLen:]...)
	iv, ct := body[:16], body[16:]
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(ct, ct)
	m := hmac.New(crypto.SHA1.New, bytes.Repeat([]byte{7}, 20))
	var hdr [13]byte // seq 0, type, version, length
	hdr[8], hdr[9], hdr[10], hdr[12] = byte(record.TypeApplicationData), 3, 3, byte(len(data))
	m.Write(hdr[:])
	m.Write(data)
	want := append(append([]byte{}, data...), m.Sum(nil)...)
	for len(want)%16 != 15 {
		want = append(want, 0)
	}
	want = append(want, 0)
	pad := byte(len(want) - len(data) - 20 - 1)
	for i := len(data) + 20; i < len(want); i++ {
		want[i] = pad
	}
	if !bytes.Equal(ct, want) {
		t.Fatalf("plaintext %x, want %x", ct, want)
	}
}

// Any damage is bad_record_mac (RFC 5246 section 6.2.3.2, RFC 7366
// section 3): a flipped bit anywhere, bad padding under a good MAC, a body
// that is not whole blocks or too short, a replayed record.
func TestCBCRejects(t *testing.T) {
	for _, etm := range []bool{false, true} {
		seal, _ := cbcPair(t, crypto.SHA256, etm)
		good, _ := seal.Seal(nil, record.TypeApplicationData, []byte("0123456789abcdef0123"), 0)
		cases := map[string][]byte{
			"flipped IV":         flip(good, record.HeaderLen),
			"flipped ciphertext": flip(good, record.HeaderLen+20),
			"flipped last byte":  flip(good, len(good)-1),
			"not whole blocks":   good[:len(good)-1],
			"only an IV":         good[:record.HeaderLen+16],
		}
		for name, rec := range cases {
			_, open := cbcPair(t, crypto.SHA256, etm)
			_, _, err := openSealed(open, rec)
			var ae *record.AlertError
			if !errors.As(err, &ae) || ae.Alert != record.AlertBadRecordMAC {
				t.Errorf("etm=%v %s: %v, want bad_record_mac", etm, name, err)
			}
		}
		_, open := cbcPair(t, crypto.SHA256, etm)
		if _, _, err := openSealed(open, good); err != nil {
			t.Fatal(err)
		}
		if _, _, err := openSealed(open, good); err == nil {
			t.Errorf("etm=%v: a replayed record opened", etm)
		}
	}
}

// A record with a correct MAC but malformed padding is refused: the
// padding bytes must all equal the padding length (RFC 5246 section
// 6.2.3.2).
func TestCBCBadPaddingUnderGoodMAC(t *testing.T) {
	macKey, key := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 16)
	data := []byte("abcdefghijk") // 11 + 32 MAC = 43: padding of 5, length byte 4
	plain := append([]byte{}, data...)
	m := hmac.New(crypto.SHA256.New, macKey)
	var hdr [13]byte
	hdr[8], hdr[9], hdr[10] = byte(record.TypeApplicationData), 3, 3
	binary.BigEndian.PutUint16(hdr[11:], uint16(len(data)))
	m.Write(hdr[:])
	m.Write(data)
	plain = append(plain, m.Sum(nil)...)
	plain = append(plain, 4, 4, 3, 4, 4) // one padding byte wrong
	block, _ := aes.NewCipher(key)
	iv := make([]byte, 16)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(plain, plain)
	rec := record.AppendHeader(nil, record.TypeApplicationData, record.VersionTLS12, 16+len(plain))
	rec = append(append(rec, iv...), plain...)
	open := newProtectorCBC(crypto.SHA256, macKey, block, false)
	_, _, err := openSealed(open, rec)
	var ae *record.AlertError
	if !errors.As(err, &ae) || ae.Alert != record.AlertBadRecordMAC {
		t.Fatalf("%v, want bad_record_mac", err)
	}
}

func TestCheckPadding(t *testing.T) {
	for _, c := range []struct {
		name      string
		plain     []byte
		macLen    int
		wantTotal int
		wantGood  int
	}{
		{"no padding", []byte{1, 2, 3, 0}, 2, 1, 1},
		{"three bytes", []byte{9, 9, 2, 2, 2}, 1, 3, 1},
		{"one byte wrong", []byte{9, 9, 2, 1, 2}, 1, 0, 0},
		{"longer than the record", []byte{9, 9, 9, 7}, 0, 0, 0},
		{"eats into the MAC", []byte{9, 1, 1}, 2, 0, 0},
		{"all padding", bytes.Repeat([]byte{255}, 256), 0, 256, 1},
	} {
		total, good := checkPadding(c.plain, c.macLen)
		if total != c.wantTotal || good != c.wantGood {
			t.Errorf("%s: %d, %d; want %d, %d", c.name, total, good, c.wantTotal, c.wantGood)
		}
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte{}, b...)
	out[i] ^= 1
	return out
}

// Whatever a peer sends as a CBC record, opening it returns a plaintext
// or an alert, never a panic, in both record layouts.
func FuzzOpenCBC(f *testing.F) {
	block, _ := aes.NewCipher(make([]byte, 16))
	seal := newProtectorCBC(crypto.SHA1, make([]byte, 20), block, false)
	good, _ := seal.Seal(nil, record.TypeApplicationData, []byte("seed"), 0)
	f.Add(good[record.HeaderLen:], false)
	f.Add(make([]byte, 48), true)
	f.Add(bytes.Repeat([]byte{0xff}, 64), false)
	f.Fuzz(func(t *testing.T, body []byte, etm bool) {
		open := newProtectorCBC(crypto.SHA1, make([]byte, 20), block, etm)
		_, plain, err := open.Open(record.Record{Type: record.TypeApplicationData, Body: body})
		if err == nil && len(plain) > len(body) {
			t.Fatalf("plaintext of %d bytes from a body of %d", len(plain), len(body))
		}
	})
}

// Sealing and opening a CBC record allocate nothing once running: the CBC
// modes are re-aimed, not rebuilt, per record.
func TestCBCAllocatesNothing(t *testing.T) {
	seal, open := cbcPair(t, crypto.SHA256, false)
	data := bytes.Repeat([]byte{1}, 1000)
	out := make([]byte, 0, 2048)
	allocs := testing.AllocsPerRun(100, func() {
		sealed, err := seal.Seal(out[:0], record.TypeApplicationData, data, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := openSealed(open, sealed); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per record", allocs)
	}
}
