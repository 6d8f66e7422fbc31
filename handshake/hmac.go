package handshake

import (
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"slices"
)

// The key schedules run a few dozen HMACs per handshake over short inputs.
// hmac.New allocates two hashes, two pads and two sums each time; here the
// pads and the message go into one stack buffer and the one-shot hash
// functions (sha256.Sum256, sha512.Sum384) do the rest, so an HMAC allocates
// nothing but its result.

// maxOneShotInput bounds what the stack path takes: labels, randoms and
// transcript hashes are far below it.
const maxOneShotInput = 256

// maxHashSize is the largest output of the hashes suites use (SHA-384).
const maxHashSize = 48

// appendHMAC appends HMAC-h(key, msg1 || msg2) to dst.
func appendHMAC(h crypto.Hash, dst, key, msg1, msg2 []byte) []byte {
	block := hashBlockSize(h)
	if block == 0 || len(key) > block || len(msg1)+len(msg2) > maxOneShotInput {
		return appendHMACSlow(h, dst, key, msg1, msg2)
	}
	var buf [128 + maxOneShotInput]byte
	padKey(buf[:block], key, 0x36)
	n := block + copy(buf[block:], msg1)
	n += copy(buf[n:], msg2)
	inner := sumOneShot(h, buf[:n])
	padKey(buf[:block], key, 0x5c)
	n = block + copy(buf[block:], inner[:h.Size()])
	outer := sumOneShot(h, buf[:n])
	return append(dst, outer[:h.Size()]...)
}

// padKey writes key XOR pad, zero-extended to the block, into b.
func padKey(b, key []byte, pad byte) {
	for i := range b {
		b[i] = pad
	}
	for i, k := range key {
		b[i] ^= k
	}
}

func hashBlockSize(h crypto.Hash) int {
	switch h {
	case crypto.SHA256:
		return sha256.BlockSize
	case crypto.SHA384:
		return sha512.BlockSize
	}
	return 0
}

// sumOneShot hashes data with h (SHA-256 or SHA-384).
func sumOneShot(h crypto.Hash, data []byte) (out [maxHashSize]byte) {
	if h == crypto.SHA256 {
		s := sha256.Sum256(data)
		copy(out[:], s[:])
		return out
	}
	return sha512.Sum384(data)
}

// appendHMACSlow is the general path for long keys or inputs. The inputs are
// cloned so that the callers' stack buffers do not escape through the
// hash.Hash interface, and dst is appended to rather than passed in.
func appendHMACSlow(h crypto.Hash, dst, key, msg1, msg2 []byte) []byte {
	m := hmac.New(h.New, slices.Clone(key))
	m.Write(slices.Clone(msg1))
	m.Write(slices.Clone(msg2))
	return append(dst, m.Sum(nil)...)
}

// hashOf returns the hash of data (SHA-256 or SHA-384) as a new slice.
func hashOf(h crypto.Hash, data []byte) []byte {
	sum := sumOneShot(h, data)
	return slices.Clone(sum[:h.Size()])
}
