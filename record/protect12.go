package record

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"slices"
)

// Protector protects or unprotects the records of one direction under one
// key: TLS 1.3 (Protector13) or TLS 1.2 (Protector12).
type Protector interface {
	// Seal appends one protected record of type typ carrying data (and, in
	// TLS 1.3, padding zero bytes).
	Seal(out []byte, typ ContentType, data []byte, padding int) ([]byte, error)
	// Open authenticates and decrypts a record in place.
	Open(rec Record) (ContentType, []byte, error)
	// Overhead is what a record adds to its data (no padding): header,
	// explicit nonce or content type, tag.
	Overhead() int
}

// Protector12 is TLS 1.2 AEAD record protection: AES-GCM with an 8-byte
// explicit nonce (RFC 5288), or ChaCha20-Poly1305 with the TLS 1.3-style
// nonce (RFC 7905). The additional data is seq || type || version || length.
type Protector12 struct {
	aead     cipher.AEAD
	iv       [IVLen]byte // GCM: the 4-byte salt, then zeros; ChaCha: the 12-byte IV
	explicit bool        // GCM: the record carries the 8-byte explicit nonce
	nonce    [IVLen]byte
	aad      [13]byte
	seq      uint64
	done     bool
}

// NewProtector12 makes a TLS 1.2 protector from the key block's key and IV
// (4 bytes for AES-GCM, 12 for ChaCha20-Poly1305).
func NewProtector12(kind AEADKind, key, iv []byte) (*Protector12, error) {
	a, err := newAEAD(kind, key)
	if err != nil {
		return nil, err
	}
	p := &Protector12{aead: a, explicit: kind != ChaCha20Poly1305}
	want := IVLen
	if p.explicit {
		want = 4
	}
	if len(iv) != want {
		return nil, fmt.Errorf("record: TLS 1.2 IV of %d bytes, want %d", len(iv), want)
	}
	copy(p.iv[:], iv)
	return p, nil
}

// IVLen12 is the key block IV length for a TLS 1.2 AEAD.
func IVLen12(kind AEADKind) int {
	if kind == ChaCha20Poly1305 {
		return IVLen
	}
	return 4
}

func (p *Protector12) next(typ ContentType, n int) ([]byte, error) {
	if p.done {
		return nil, errSequenceExhausted
	}
	p.nonce = p.iv
	if p.explicit {
		binary.BigEndian.PutUint64(p.nonce[4:], p.seq)
	} else {
		for i := 0; i < 8; i++ {
			p.nonce[IVLen-1-i] ^= byte(p.seq >> (8 * i))
		}
	}
	binary.BigEndian.PutUint64(p.aad[:8], p.seq)
	p.aad[8], p.aad[9], p.aad[10] = byte(typ), 3, 3
	binary.BigEndian.PutUint16(p.aad[11:], uint16(n))
	p.seq++
	if p.seq == 0 {
		p.done = true
	}
	return p.nonce[:], nil
}

// Overhead is the header, the explicit nonce (AES-GCM only) and the tag.
func (p *Protector12) Overhead() int {
	if p.explicit {
		return HeaderLen + 8 + TagLen
	}
	return HeaderLen + TagLen
}

// Seal appends one protected record; padding is ignored (TLS 1.2 has none).
func (p *Protector12) Seal(out []byte, typ ContentType, data []byte, _ int) ([]byte, error) {
	nonce, err := p.next(typ, len(data))
	if err != nil {
		return out, err
	}
	extra := 0
	if p.explicit {
		extra = 8
	}
	out = AppendHeader(out, typ, VersionTLS12, extra+len(data)+TagLen)
	if p.explicit {
		out = append(out, nonce[4:]...)
	}
	at := len(out)
	out = append(out, data...)
	out = slices.Grow(out, TagLen)
	sealed := p.aead.Seal(out[at:at], nonce, out[at:], p.aad[:])
	return out[:at+len(sealed)], nil
}

// Open authenticates and decrypts a record in place.
func (p *Protector12) Open(rec Record) (ContentType, []byte, error) {
	body := rec.Body
	extra := 0
	if p.explicit {
		extra = 8
	}
	if len(body) < extra+TagLen {
		return 0, nil, Errorf(AlertBadRecordMAC, "protected record too short")
	}
	n := len(body) - extra - TagLen
	if n > MaxPlaintext {
		return 0, nil, Errorf(AlertRecordOverflow, "record plaintext of %d bytes", n)
	}
	nonce, err := p.next(rec.Type, n)
	if err != nil {
		return 0, nil, Errorf(AlertInternalError, "%v", err)
	}
	if p.explicit {
		copy(nonce[4:], body[:8])
	}
	plain, err := p.aead.Open(body[extra:extra], nonce, body[extra:], p.aad[:])
	if err != nil {
		return 0, nil, Errorf(AlertBadRecordMAC, "record authentication failed")
	}
	return rec.Type, plain, nil
}

var (
	_ Protector = (*Protector12)(nil)
	_ Protector = (*Protector13)(nil)
)
