package record

import (
	"bytes"
	"errors"
	"testing"

	"pgregory.net/rapid"
)

func newPair(t testing.TB, kind AEADKind) (*Protector13, *Protector13) {
	key := bytes.Repeat([]byte{7}, kind.KeyLen())
	iv := bytes.Repeat([]byte{9}, IVLen)
	a, err := NewProtector13(kind, key, iv)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewProtector13(kind, key, iv)
	return a, b
}

// Sealed records open to the same type and data, padding removed, for every
// AEAD; any flipped bit is bad_record_mac.
func TestSealOpen(t *testing.T) {
	for _, kind := range []AEADKind{AES128GCM, AES256GCM, ChaCha20Poly1305} {
		rapid.Check(t, func(rt *rapid.T) {
			seal, open := newPair(t, kind)
			for range rapid.IntRange(1, 4).Draw(rt, "records") {
				data := rapid.SliceOfN(rapid.Byte(), 0, 2000).Draw(rt, "data")
				pad := rapid.IntRange(0, 100).Draw(rt, "padding")
				typ := rapid.SampledFrom([]ContentType{TypeHandshake, TypeApplicationData, TypeAlert}).Draw(rt, "type")
				if len(data) == 0 && typ != TypeApplicationData {
					data = []byte{1}
				}
				rec, err := seal.Seal(nil, typ, data, pad)
				if err != nil {
					rt.Fatal(err)
				}
				if len(rec)-len(data)-pad != seal.Overhead() {
					rt.Fatalf("record overhead %d, Overhead() %d", len(rec)-len(data)-pad, seal.Overhead())
				}
				if rapid.Bool().Draw(rt, "tamper") {
					i := rapid.IntRange(0, len(rec)-1).Draw(rt, "at")
					rec[i] ^= 1 << rapid.IntRange(0, 7).Draw(rt, "bit")
					var d Deframer
					d.Write(rec, true)
					r, ok, err := d.Next()
					if err == nil && !ok {
						return // a changed length: the record never completes
					}
					if err == nil {
						_, _, err = open.Open(r)
					}
					var ae *AlertError
					if !errors.As(err, &ae) {
						rt.Fatalf("tampered record accepted")
					}
					return
				}
				var d Deframer
				d.Write(rec, true)
				r, ok, err := d.Next()
				if err != nil || !ok {
					rt.Fatalf("deframe: %v %v", ok, err)
				}
				gotType, got, err := open.Open(r)
				if err != nil || gotType != typ || !bytes.Equal(got, data) {
					rt.Fatalf("open: %v %v %x", err, gotType, got)
				}
			}
		})
	}
}

// Records come out whole whatever the split of the bytes.
func TestDeframerAnySplit(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var stream []byte
		var bodies [][]byte
		for range rapid.IntRange(1, 5).Draw(rt, "records") {
			body := rapid.SliceOfN(rapid.Byte(), 0, 3000).Draw(rt, "body")
			bodies = append(bodies, body)
			stream = AppendHeader(stream, TypeApplicationData, VersionTLS12, len(body))
			stream = append(stream, body...)
		}
		step := rapid.IntRange(1, 4000).Draw(rt, "step")
		var d Deframer
		var got [][]byte
		for len(stream) > 0 {
			n := d.Write(stream[:min(step, len(stream))], true)
			stream = stream[n:]
			for {
				r, ok, err := d.Next()
				if err != nil {
					rt.Fatal(err)
				}
				if !ok {
					break
				}
				got = append(got, append([]byte{}, r.Body...))
			}
		}
		if len(got) != len(bodies) {
			rt.Fatalf("%d records out of %d", len(got), len(bodies))
		}
		for i := range got {
			if !bytes.Equal(got[i], bodies[i]) {
				rt.Fatalf("record %d differs", i)
			}
		}
	})
}

// Headers no TLS peer sends are refused with the right alert.
func TestDeframerRefuses(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		alert Alert
	}{
		{"unknown type", []byte{99, 3, 3, 0, 0}, AlertUnexpectedMessage},
		{"not TLS", []byte{22, 2, 0, 0, 0}, AlertDecodeError},
		{"too long", []byte{23, 3, 3, 0x48, 0x01}, AlertRecordOverflow},
	}
	for _, tt := range tests {
		var d Deframer
		d.Write(tt.in, true)
		_, _, err := d.Next()
		var ae *AlertError
		if !errors.As(err, &ae) || ae.Alert != tt.alert {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.alert)
		}
	}
}

// A protected record with no content type byte, or over the size limit, is
// refused after decryption.
func TestOpenRefuses(t *testing.T) {
	// RFC 8446 section 5.4: TLSInnerPlaintext (content, type and padding)
	// is at most 2^14+1 bytes; a full record with one byte of padding is over.
	for _, c := range []struct {
		name          string
		data, padding int
		overflow      bool
	}{
		{"content over 2^14", MaxPlaintext + 1, 0, true},
		{"full content plus padding", MaxPlaintext, 1, true},
		{"padding alone over the limit", 10, MaxPlaintext, true},
		{"full content, no padding", MaxPlaintext, 0, false},
		{"content and padding at the limit", MaxPlaintext - 100, 100, false},
	} {
		seal, open := newPair(t, AES128GCM)
		rec, _ := seal.Seal(nil, TypeApplicationData, make([]byte, c.data), c.padding)
		var d Deframer
		d.Write(rec, true)
		r, _, _ := d.Next()
		_, _, err := open.Open(r)
		if got := errors.Is(err, &AlertError{Alert: AlertRecordOverflow}); got != c.overflow {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TLS 1.2 protection round-trips for every AEAD, rejects any flipped bit,
// and carries the explicit nonce only for AES-GCM.
func TestSealOpen12(t *testing.T) {
	for _, kind := range []AEADKind{AES128GCM, AES256GCM, ChaCha20Poly1305} {
		key := bytes.Repeat([]byte{3}, kind.KeyLen())
		iv := bytes.Repeat([]byte{5}, IVLen12(kind))
		seal, err := NewProtector12(kind, key, iv)
		if err != nil {
			t.Fatal(err)
		}
		open, _ := NewProtector12(kind, key, iv)
		for i, data := range [][]byte{[]byte("first"), make([]byte, MaxPlaintext), {}} {
			rec, err := seal.Seal(nil, TypeApplicationData, data, 0)
			if err != nil {
				t.Fatal(err)
			}
			explicit := 0
			if kind != ChaCha20Poly1305 {
				explicit = 8
			}
			if len(rec) != HeaderLen+explicit+len(data)+TagLen || len(rec)-len(data) != seal.Overhead() {
				t.Fatalf("%v record %d: %d bytes, overhead %d", kind, i, len(rec), seal.Overhead())
			}
			var d Deframer
			d.Write(rec, true)
			r, _, _ := d.Next()
			typ, got, err := open.Open(r)
			if err != nil || typ != TypeApplicationData || !bytes.Equal(got, data) {
				t.Fatalf("%v record %d: %v", kind, i, err)
			}
		}
		rec, _ := seal.Seal(nil, TypeApplicationData, []byte("tampered"), 0)
		rec[len(rec)-1] ^= 1
		var d Deframer
		d.Write(rec, true)
		r, _, _ := d.Next()
		if _, _, err := open.Open(r); !errors.Is(err, &AlertError{Alert: AlertBadRecordMAC}) {
			t.Fatalf("%v: tampered record: %v", kind, err)
		}
	}
}
