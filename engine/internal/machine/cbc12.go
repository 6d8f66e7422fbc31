package machine

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"hash"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// extEncryptThenMAC is RFC 7366's extension: with it the MAC covers the
// ciphertext instead of the plaintext.
const extEncryptThenMAC uint16 = 22

// protectorCBC is TLS 1.2 CBC record protection (AES or 3DES) with HMAC (RFC 5246
// section 6.2.3.2), MAC-then-encrypt or, when negotiated, encrypt-then-MAC
// (RFC 7366). Only a client speaks it, when a hello shape offers it.
type protectorCBC struct {
	block    cipher.Block
	enc, dec cipher.BlockMode // re-aimed at each record's IV
	mac      hash.Hash
	etm      bool
	seq      uint64
	done     bool
	// Scratch kept here, not on the stack, as it goes through interfaces
	// (hash.Hash, cipher.Block) and would escape: a record allocates none.
	hdr [13]byte
	iv  [aes.BlockSize]byte
	sum []byte
}

func newProtectorCBC(macHash crypto.Hash, macKey []byte, block cipher.Block, etm bool) *protectorCBC {
	iv := make([]byte, block.BlockSize())
	return &protectorCBC{block: block, mac: hmac.New(macHash.New, macKey), etm: etm,
		enc: cipher.NewCBCEncrypter(block, iv), dec: cipher.NewCBCDecrypter(block, iv)}
}

// encrypter and decrypter aim the protector's CBC modes at iv: in place
// where the mode can take a new IV (the standard library's can), so a
// record allocates none.
func (p *protectorCBC) encrypter(iv []byte) cipher.BlockMode {
	if !setIV(p.enc, iv) {
		p.enc = cipher.NewCBCEncrypter(p.block, iv)
	}
	return p.enc
}

func (p *protectorCBC) decrypter(iv []byte) cipher.BlockMode {
	if !setIV(p.dec, iv) {
		p.dec = cipher.NewCBCDecrypter(p.block, iv)
	}
	return p.dec
}

func setIV(m cipher.BlockMode, iv []byte) bool {
	s, ok := m.(interface{ SetIV([]byte) })
	if ok {
		s.SetIV(iv)
	}
	return ok
}

// cbcBlock is the suite's block cipher under key: AES, or 3DES.
func cbcBlock(suite *handshake.Suite12, key []byte) (cipher.Block, error) {
	if suite.TripleDES {
		return des.NewTripleDESCipher(key)
	}
	return aes.NewCipher(key)
}

// next returns the sequence number of the record at hand and counts it.
func (p *protectorCBC) next() (uint64, error) {
	if p.done {
		return 0, errors.New("record: sequence number exhausted")
	}
	seq := p.seq
	p.seq++
	p.done = p.seq == 0
	return seq, nil
}

// macOf is HMAC(seq || type || version || length || content).
func (p *protectorCBC) macOf(seq uint64, typ record.ContentType, content []byte) []byte {
	hdr := p.hdr[:]
	binary.BigEndian.PutUint64(hdr[:8], seq)
	hdr[8], hdr[9], hdr[10] = byte(typ), 3, 3
	binary.BigEndian.PutUint16(hdr[11:], uint16(len(content)))
	p.mac.Reset()
	p.mac.Write(hdr)
	p.mac.Write(content)
	p.sum = p.mac.Sum(p.sum[:0])
	return p.sum
}

// Overhead is the header, the explicit IV, the MAC and at most a block of
// padding.
func (p *protectorCBC) Overhead() int {
	return record.HeaderLen + 2*p.block.BlockSize() + p.mac.Size()
}

// Seal appends one protected record. The explicit IV is the encryption of
// the sequence number under the record key: unpredictable to anyone without
// the key, as NIST SP 800-38A appendix C allows, and needing no randomness.
func (p *protectorCBC) Seal(out []byte, typ record.ContentType, data []byte, _ int) ([]byte, error) {
	seq, err := p.next()
	if err != nil {
		return out, err
	}
	padded := len(data) + 1
	if !p.etm {
		padded += p.mac.Size()
	}
	bs := p.block.BlockSize()
	pad := (bs - padded%bs) % bs
	length := bs + padded + pad
	if p.etm {
		length += p.mac.Size()
	}
	out = record.AppendHeader(out, typ, record.VersionTLS12, length)
	ivAt := len(out)
	iv := p.iv[:bs]
	binary.BigEndian.PutUint64(iv[bs-8:], seq)
	p.block.Encrypt(iv, iv)
	out = append(out, iv...)
	at := len(out)
	out = append(out, data...)
	if !p.etm {
		out = append(out, p.macOf(seq, typ, data)...)
	}
	for range pad + 1 {
		out = append(out, byte(pad))
	}
	p.encrypter(iv).CryptBlocks(out[at:], out[at:])
	if p.etm {
		out = append(out, p.macOf(seq, typ, out[ivAt:])...)
	}
	return out, nil
}

// Open authenticates and decrypts a record in place. Every failure is
// bad_record_mac, and the padding and MAC checks of MAC-then-encrypt take
// the same path whether the padding is good or not (RFC 5246 section
// 6.2.3.2).
func (p *protectorCBC) Open(rec record.Record) (record.ContentType, []byte, error) {
	seq, err := p.next()
	if err != nil {
		return 0, nil, record.Errorf(record.AlertInternalError, "%v", err)
	}
	body, macLen := rec.Body, p.mac.Size()
	var plain []byte
	if p.etm {
		plain, err = p.openEncryptThenMAC(seq, rec.Type, body, macLen)
	} else {
		plain, err = p.openMACThenEncrypt(seq, rec.Type, body, macLen)
	}
	if err != nil {
		return 0, nil, err
	}
	if len(plain) > record.MaxPlaintext {
		return 0, nil, record.Errorf(record.AlertRecordOverflow, "record plaintext of %d bytes", len(plain))
	}
	return rec.Type, plain, nil
}

func badRecordMAC() error {
	return record.Errorf(record.AlertBadRecordMAC, "record authentication failed")
}

func (p *protectorCBC) openEncryptThenMAC(seq uint64, typ record.ContentType, body []byte, macLen int) ([]byte, error) {
	n, bs := len(body)-macLen, p.block.BlockSize()
	if n < 2*bs || n%bs != 0 {
		return nil, badRecordMAC()
	}
	if !hmac.Equal(p.macOf(seq, typ, body[:n]), body[n:]) {
		return nil, badRecordMAC()
	}
	plain := body[bs:n]
	p.decrypter(body[:bs]).CryptBlocks(plain, plain)
	padLen := int(plain[len(plain)-1])
	if padLen+1 > len(plain) {
		return nil, badRecordMAC()
	}
	for _, b := range plain[len(plain)-padLen-1:] {
		if int(b) != padLen {
			return nil, badRecordMAC()
		}
	}
	return plain[:len(plain)-padLen-1], nil
}

func (p *protectorCBC) openMACThenEncrypt(seq uint64, typ record.ContentType, body []byte, macLen int) ([]byte, error) {
	bs := p.block.BlockSize()
	minLen := (macLen + 1 + bs - 1) / bs * bs
	if len(body) < bs+minLen || len(body)%bs != 0 {
		return nil, badRecordMAC()
	}
	plain := body[bs:]
	p.decrypter(body[:bs]).CryptBlocks(plain, plain)
	padTotal, good := checkPadding(plain, macLen)
	n := len(plain) - macLen - padTotal
	good &= subtle.ConstantTimeCompare(p.macOf(seq, typ, plain[:n]), plain[n:n+macLen])
	if good != 1 {
		return nil, badRecordMAC()
	}
	return plain[:n], nil
}

// checkPadding reads the padding at the end of plain in time that depends
// only on len(plain): it returns the padding's length with its length byte
// and 1 when it is well formed, else 0 and 0, so that the MAC is then
// computed as if there were no padding.
func checkPadding(plain []byte, macLen int) (padTotal, good int) {
	n := len(plain)
	padLen := int(plain[n-1])
	good = subtle.ConstantTimeLessOrEq(padLen+1+macLen, n)
	for i := 1; i <= min(256, n); i++ {
		inPad := subtle.ConstantTimeLessOrEq(i, padLen+1)
		same := subtle.ConstantTimeByteEq(plain[n-i], byte(padLen))
		good &= 1 ^ (inPad &^ same)
	}
	return subtle.ConstantTimeSelect(good, padLen+1, 0), good
}

var _ record.Protector = (*protectorCBC)(nil)
