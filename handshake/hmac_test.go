package handshake

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"testing"
)

// appendHMAC agrees with crypto/hmac on both hashes, on the stack path and
// on the general path (long keys, long inputs).
func TestAppendHMACMatchesCryptoHMAC(t *testing.T) {
	long := bytes.Repeat([]byte{0xa5}, 300)
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384} {
		for _, tc := range []struct {
			name            string
			key, msg1, msg2 []byte
		}{
			{"empty", nil, nil, nil},
			{"short", []byte("key"), []byte("message"), []byte{1}},
			{"key of a block", long[:hashBlockSize(h)], []byte("m"), nil},
			{"key over a block", long[:hashBlockSize(h)+1], []byte("m"), nil},
			{"long input", []byte("k"), long, long[:10]},
			{"input at the bound", []byte("k"), long[:200], long[:maxOneShotInput-200]},
		} {
			m := hmac.New(h.New, tc.key)
			m.Write(tc.msg1)
			m.Write(tc.msg2)
			want := m.Sum([]byte("prefix"))
			if got := appendHMAC(h, []byte("prefix"), tc.key, tc.msg1, tc.msg2); !bytes.Equal(got, want) {
				t.Errorf("%v %s: %x, want %x", h, tc.name, got, want)
			}
		}
	}
}

// An HMAC of the key schedule allocates nothing on the stack path.
func TestAppendHMACAllocatesNothing(t *testing.T) {
	key, msg := make([]byte, 32), make([]byte, 80)
	var out [maxHashSize]byte
	if n := testing.AllocsPerRun(100, func() { appendHMAC(crypto.SHA256, out[:0], key, msg, nil) }); n != 0 {
		t.Fatalf("%v allocations per HMAC", n)
	}
}
