package record

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"
)

// AEADKind names the record protection algorithm of a cipher suite.
type AEADKind uint8

// The AEADs TLS 1.2 and 1.3 suites use here.
const (
	AES128GCM AEADKind = iota + 1
	AES256GCM
	ChaCha20Poly1305
)

// KeyLen returns the key length of the AEAD in bytes.
func (k AEADKind) KeyLen() int {
	switch k {
	case AES128GCM:
		return 16
	case AES256GCM, ChaCha20Poly1305:
		return 32
	}
	return 0
}

// IVLen is the length of the TLS 1.3 per-record nonce (and of its static IV).
const IVLen = 12

// TagLen is the authentication tag length of every AEAD used here.
const TagLen = 16

func newAEAD(kind AEADKind, key []byte) (cipher.AEAD, error) {
	if len(key) != kind.KeyLen() {
		return nil, fmt.Errorf("record: key of %d bytes for AEAD %d", len(key), kind)
	}
	switch kind {
	case AES128GCM, AES256GCM:
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		return cipher.NewGCM(block)
	case ChaCha20Poly1305:
		return chacha20poly1305.New(key)
	}
	return nil, fmt.Errorf("record: unknown AEAD %d", kind)
}

// errSequenceExhausted ends a connection that sent 2^64 records on one key.
var errSequenceExhausted = errors.New("record: sequence number exhausted")

// Protector13 protects or unprotects the records of one direction under one
// TLS 1.3 traffic key (RFC 8446 section 5.2 and 5.3).
type Protector13 struct {
	aead  cipher.AEAD
	iv    [IVLen]byte
	nonce [IVLen]byte // scratch, kept here so Seal and Open allocate nothing
	seq   uint64
	done  bool // seq wrapped: no record may use this key again
}

// NewProtector13 makes a protector from a traffic key and IV.
func NewProtector13(kind AEADKind, key, iv []byte) (*Protector13, error) {
	if len(iv) != IVLen {
		return nil, fmt.Errorf("record: IV of %d bytes", len(iv))
	}
	a, err := newAEAD(kind, key)
	if err != nil {
		return nil, err
	}
	p := &Protector13{aead: a}
	copy(p.iv[:], iv)
	return p, nil
}

// Overhead returns the bytes a record adds beyond its data with no padding.
func (p *Protector13) Overhead() int { return HeaderLen + 1 + TagLen }

// currentNonce is the nonce of the next record.
func (p *Protector13) currentNonce() ([]byte, error) {
	if p.done {
		return nil, errSequenceExhausted
	}
	p.nonce = p.iv
	for i := 0; i < 8; i++ {
		p.nonce[IVLen-1-i] ^= byte(p.seq >> (8 * i))
	}
	return p.nonce[:], nil
}

// advance moves to the next sequence number.
func (p *Protector13) advance() {
	p.seq++
	if p.seq == 0 {
		p.done = true
	}
}

func (p *Protector13) nextNonce() ([]byte, error) {
	n, err := p.currentNonce()
	if err == nil {
		p.advance()
	}
	return n, err
}

// Seal appends one protected record carrying data of type typ followed by
// padding zero bytes. len(data)+padding must not exceed MaxPlaintext.
func (p *Protector13) Seal(out []byte, typ ContentType, data []byte, padding int) ([]byte, error) {
	nonce, err := p.nextNonce()
	if err != nil {
		return out, err
	}
	inner := len(data) + 1 + padding
	hdrAt := len(out)
	out = AppendHeader(out, TypeApplicationData, VersionTLS12, inner+TagLen)
	bodyAt := len(out)
	out = append(out, data...)
	out = append(out, byte(typ))
	for i := 0; i < padding; i++ {
		out = append(out, 0)
	}
	out = slices.Grow(out, TagLen) // so the AEAD seals in place, never into a new slice
	sealed := p.aead.Seal(out[bodyAt:bodyAt], nonce, out[bodyAt:], out[hdrAt:bodyAt])
	return out[:bodyAt+len(sealed)], nil
}

// Open authenticates and decrypts a record in place and returns its real
// content type and content, with padding removed.
func (p *Protector13) Open(rec Record) (ContentType, []byte, error) {
	if rec.Type != TypeApplicationData {
		return 0, nil, Errorf(AlertUnexpectedMessage, "unprotected %s record after keys were set", rec.Type)
	}
	if len(rec.Body) > MaxCiphertext13 {
		return 0, nil, Errorf(AlertRecordOverflow, "protected record of %d bytes", len(rec.Body))
	}
	if len(rec.Body) < TagLen+1 {
		return 0, nil, Errorf(AlertBadRecordMAC, "protected record too short")
	}
	nonce, err := p.currentNonce()
	if err != nil {
		return 0, nil, Errorf(AlertInternalError, "%v", err)
	}
	plain, err := p.aead.Open(rec.Body[:0], nonce, rec.Body, rec.Header)
	if err != nil {
		// The sequence number stays: a server skipping refused 0-RTT data
		// goes on with the same key.
		return 0, nil, Errorf(AlertBadRecordMAC, "record authentication failed")
	}
	p.advance()
	if len(plain) > MaxPlaintext+1 { // RFC 8446 section 5.4: padding counts
		return 0, nil, Errorf(AlertRecordOverflow, "inner plaintext of %d bytes", len(plain))
	}
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return 0, nil, Errorf(AlertUnexpectedMessage, "protected record with no content type")
	}
	if i > MaxPlaintext {
		return 0, nil, Errorf(AlertRecordOverflow, "record plaintext of %d bytes", i)
	}
	return ContentType(plain[i]), plain[:i], nil
}
