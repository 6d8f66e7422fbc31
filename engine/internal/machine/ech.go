package machine

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hpke"
	"errors"
	"io"

	"golang.org/x/crypto/cryptobyte"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// Encrypted Client Hello, the server's side (draft-ietf-tls-esni): the
// client-facing server decrypts the ClientHelloInner carried in the outer
// hello's encrypted_client_hello extension and runs the handshake with it,
// or, when it cannot, with the outer hello, offering retry configurations.

// extECH and extECHOuterExtensions are the extension code points.
const (
	extECH                = 0xfe0d
	extECHOuterExtensions = 0xfd00
	echVersion            = 0xfe0d // ECHConfig.version
	echOuter, echInner    = 0, 1   // ECHClientHello.type
	kemX25519HKDFSHA256   = 0x0020
)

// ECHKey is one of a server's ECH configurations: the ECHConfig (as
// published, version included), the KEM private key, and whether it is
// sent to clients as a retry configuration.
type ECHKey struct {
	Config      []byte
	PrivateKey  []byte
	SendAsRetry bool
}

// echConfig is what a server needs of an ECHConfig.
type echConfig struct {
	id         uint8
	kem        uint16
	publicKey  []byte
	suites     [][2]uint16 // KDF, AEAD
	publicName string
}

var errBadECHConfig = errors.New("malformed ECHConfig")

// parseECHConfig reads one ECHConfig of version 0xfe0d.
func parseECHConfig(raw []byte) (*echConfig, error) {
	s := cryptobyte.String(raw)
	var version uint16
	var contents, pub, suites, name, exts cryptobyte.String
	c := &echConfig{}
	if !s.ReadUint16(&version) || version != echVersion || !s.ReadUint16LengthPrefixed(&contents) || !s.Empty() ||
		!contents.ReadUint8(&c.id) || !contents.ReadUint16(&c.kem) || !contents.ReadUint16LengthPrefixed(&pub) || pub.Empty() ||
		!contents.ReadUint16LengthPrefixed(&suites) || suites.Empty() || !contents.Skip(1) ||
		!contents.ReadUint8LengthPrefixed(&name) || name.Empty() || !contents.ReadUint16LengthPrefixed(&exts) || !contents.Empty() {
		return nil, errBadECHConfig
	}
	for !suites.Empty() {
		var kdf, aead uint16
		if !suites.ReadUint16(&kdf) || !suites.ReadUint16(&aead) {
			return nil, errBadECHConfig
		}
		c.suites = append(c.suites, [2]uint16{kdf, aead})
	}
	c.publicKey, c.publicName = []byte(pub), string(name)
	return c, nil
}

// echOffer is an outer ECHClientHello.
type echOffer struct {
	kdf, aead uint16
	configID  uint8
	enc       []byte
	payload   []byte
}

// parseECHOffer reads the encrypted_client_hello extension of a
// ClientHelloOuter; one of type inner there is illegal_parameter.
func parseECHOffer(data []byte) (*echOffer, error) {
	s := cryptobyte.String(data)
	var kind uint8
	if !s.ReadUint8(&kind) {
		return nil, record.Errorf(record.AlertDecodeError, "empty encrypted_client_hello")
	}
	if kind != echOuter {
		return nil, illegal("encrypted_client_hello of type inner in the outer ClientHello")
	}
	o := &echOffer{}
	var enc, payload cryptobyte.String
	if !s.ReadUint16(&o.kdf) || !s.ReadUint16(&o.aead) || !s.ReadUint8(&o.configID) ||
		!s.ReadUint16LengthPrefixed(&enc) || !s.ReadUint16LengthPrefixed(&payload) || payload.Empty() || !s.Empty() {
		return nil, record.Errorf(record.AlertDecodeError, "malformed encrypted_client_hello")
	}
	o.enc, o.payload = []byte(enc), []byte(payload)
	return o, nil
}

// echResult is what the server made of a hello's ECH offer.
type echResult struct {
	inner     *handshake.ClientHello
	innerRaw  []byte
	offered   bool            // the hello carried an offer: without acceptance, retry configs go back
	recipient *hpke.Recipient // the HPKE context, which opens a second hello after a HelloRetryRequest
}

// openECH tries to decrypt the ClientHelloInner of an outer hello with the
// Config's keys. A hello without an offer, or one no key opens, gives a
// result without inner (the handshake goes on with the outer hello); a
// decrypted inner hello that is malformed is fatal.
func (c *Config) openECH(outer *handshake.ClientHello, outerRaw []byte) (echResult, error) {
	ext := extensionData(outer, extECH)
	if ext == nil || len(c.EncryptedClientHelloKeys) == 0 {
		return echResult{}, nil
	}
	offer, err := parseECHOffer(ext)
	if err != nil {
		return echResult{}, err
	}
	for _, key := range c.EncryptedClientHelloKeys {
		r := key.recipient(offer)
		if r == nil {
			continue
		}
		encoded, err := r.Open(echAAD(outerRaw, offer.payload), offer.payload)
		if err != nil {
			continue
		}
		inner, innerRaw, err := decodeInnerHello(outer, encoded)
		if err != nil {
			return echResult{}, err
		}
		return echResult{inner: inner, innerRaw: innerRaw, offered: true, recipient: r}, nil
	}
	return echResult{offered: true}, nil
}

// openECHRetry opens the second hello's inner hello with the context that
// opened the first (draft-ietf-tls-esni section 7.1.1): its offer must be
// there, without enc; a payload that does not open is decrypt_error.
func openECHRetry(r *hpke.Recipient, outer *handshake.ClientHello, outerRaw []byte) (*handshake.ClientHello, []byte, error) {
	ext := extensionData(outer, extECH)
	if ext == nil {
		return nil, nil, record.Errorf(record.AlertMissingExtension, "second ClientHello without encrypted_client_hello after accepting it")
	}
	offer, err := parseECHOffer(ext)
	if err != nil {
		return nil, nil, err
	}
	if len(offer.enc) != 0 {
		return nil, nil, illegal("second ClientHello's encrypted_client_hello carries an enc")
	}
	encoded, err := r.Open(echAAD(outerRaw, offer.payload), offer.payload)
	if err != nil {
		return nil, nil, record.Errorf(record.AlertDecryptError, "second ClientHelloInner does not decrypt")
	}
	return decodeInnerHello(outer, encoded)
}

// echAAD is the outer hello's body with the payload zeroed.
func echAAD(outerRaw, payload []byte) []byte {
	return bytes.Replace(outerRaw[handshake.HeaderLen:], payload, make([]byte, len(payload)), 1)
}

// recipient is the HPKE context for the offer with this key, if it is the
// offer's configuration and suite; nil otherwise.
func (k *ECHKey) recipient(offer *echOffer) *hpke.Recipient {
	cfg, err := parseECHConfig(k.Config)
	if err != nil || cfg.id != offer.configID || cfg.kem != kemX25519HKDFSHA256 {
		return nil
	}
	priv, err := ecdh.X25519().NewPrivateKey(k.PrivateKey)
	if err != nil {
		return nil
	}
	hpkeKey, err := hpke.NewDHKEMPrivateKey(priv)
	if err != nil {
		return nil
	}
	kdf, err1 := hpke.NewKDF(offer.kdf)
	aead, err2 := hpke.NewAEAD(offer.aead)
	if err1 != nil || err2 != nil {
		return nil
	}
	r, err := hpke.NewRecipient(offer.enc, hpkeKey, kdf, aead, append([]byte("tls ech\x00"), k.Config...))
	if err != nil {
		return nil
	}
	return r
}

// decodeInnerHello rebuilds the ClientHelloInner from its encoding: the
// outer hello's session ID put back, ech_outer_extensions expanded from the
// outer hello in order, the zero padding dropped. The inner hello must
// carry an inner encrypted_client_hello and offer TLS 1.3 only.
func decodeInnerHello(outer *handshake.ClientHello, encoded []byte) (*handshake.ClientHello, []byte, error) {
	bad := illegal("malformed ClientHelloInner")
	s := cryptobyte.String(encoded)
	var versionRandom []byte
	var sessionID, suites, compression, exts cryptobyte.String
	if !s.ReadBytes(&versionRandom, 2+32) || !s.ReadUint8LengthPrefixed(&sessionID) || !sessionID.Empty() ||
		!s.ReadUint16LengthPrefixed(&suites) || !s.ReadUint8LengthPrefixed(&compression) || !s.ReadUint16LengthPrefixed(&exts) {
		return nil, nil, bad
	}
	for _, b := range s {
		if b != 0 {
			return nil, nil, bad
		}
	}
	var b cryptobyte.Builder
	b.AddUint8(byte(handshake.TypeClientHello))
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddBytes(versionRandom)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(outer.SessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(suites) })
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(compression) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			if err := expandInnerExtensions(b, outer, exts); err != nil {
				b.SetError(err)
			}
		})
	})
	raw, err := b.Bytes()
	if err != nil {
		return nil, nil, bad
	}
	inner := new(handshake.ClientHello)
	if err := handshake.Unmarshal(raw, inner); err != nil {
		return nil, nil, bad
	}
	if data := extensionData(inner, extECH); len(data) != 1 || data[0] != echInner {
		return nil, nil, illegal("ClientHelloInner without an inner encrypted_client_hello")
	}
	for _, v := range inner.SupportedVersions {
		if v < handshake.VersionTLS13 {
			return nil, nil, illegal("ClientHelloInner offers a version below TLS 1.3")
		}
	}
	return inner, raw, nil
}

// expandInnerExtensions writes the inner hello's extensions, taking those
// named by ech_outer_extensions from the outer hello, in the order the
// outer hello has them.
func expandInnerExtensions(b *cryptobyte.Builder, outer *handshake.ClientHello, exts cryptobyte.String) error {
	next := 0 // outer extensions are referenced in order
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return errors.New("malformed extensions")
		}
		if typ != extECHOuterExtensions {
			b.AddUint16(typ)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(data) })
			continue
		}
		var refs cryptobyte.String
		if !data.ReadUint8LengthPrefixed(&refs) || refs.Empty() || !data.Empty() {
			return errors.New("malformed ech_outer_extensions")
		}
		for !refs.Empty() {
			var ref uint16
			if !refs.ReadUint16(&ref) || ref == extECH {
				return errors.New("bad ech_outer_extensions reference")
			}
			for next < len(outer.Extensions) && outer.Extensions[next].Type != ref {
				next++
			}
			if next == len(outer.Extensions) {
				return errors.New("ech_outer_extensions names an extension the outer hello lacks")
			}
			e := outer.Extensions[next]
			b.AddUint16(e.Type)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.Data) })
			next++
		}
	}
	return nil
}

// extensionData is the data of the hello's extension of type typ, or nil.
func extensionData(ch *handshake.ClientHello, typ uint16) []byte {
	for _, e := range ch.Extensions {
		if e.Type == typ {
			if e.Data == nil {
				return []byte{}
			}
			return e.Data
		}
	}
	return nil
}

// echConfirmation is the last 8 bytes of the ServerHello random that tell
// the client its inner hello was taken: HKDF-Expand-Label of the inner
// random over the transcript of the inner hello and the ServerHello with
// those bytes zeroed.
// After a HelloRetryRequest the transcript starts with prefix (the first
// inner hello's message_hash and the HelloRetryRequest).
func echConfirmation(suite *handshake.Suite, innerRandom []byte, prefix, innerRaw, serverHelloZeroed []byte) ([]byte, error) {
	return confirm(suite, innerRandom, "ech accept confirmation", prefix, innerRaw, serverHelloZeroed)
}

// hrrECHConfirmation is what a HelloRetryRequest's encrypted_client_hello
// carries when the server took the first inner hello: over its
// message_hash and the HelloRetryRequest with the confirmation zeroed.
func hrrECHConfirmation(suite *handshake.Suite, innerRandom, innerRaw, hrrZeroed []byte) ([]byte, error) {
	return confirm(suite, innerRandom, "hrr ech accept confirmation", handshake.MessageHash(suite, innerRaw), hrrZeroed)
}

func confirm(suite *handshake.Suite, innerRandom []byte, label string, msgs ...[]byte) ([]byte, error) {
	prk, err := hkdf.Extract(suite.Hash.New, innerRandom, nil)
	if err != nil {
		return nil, err
	}
	t := handshake.NewTranscript(suite)
	t.Add(msgs...)
	return expandLabel(suite, prk, label, t.Sum(), 8)
}

// expandLabel is HKDF-Expand-Label (RFC 8446 section 7.1).
func expandLabel(suite *handshake.Suite, secret []byte, label string, context []byte, length int) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddUint16(uint16(length))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte("tls13 " + label)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(context) })
	return hkdf.Expand(suite.Hash.New, secret, string(b.BytesOrPanic()), length)
}

// retryConfigs is the ECHConfigList of the keys sent as retry
// configurations, for EncryptedExtensions; nil when there are none.
func (c *Config) retryConfigs() []byte {
	var retry []ECHKey
	for _, k := range c.EncryptedClientHelloKeys {
		if k.SendAsRetry {
			retry = append(retry, k)
		}
	}
	if len(retry) == 0 {
		return nil
	}
	return ECHConfigList(retry)
}

// ECHConfigList is the ECHConfigList of keys' configurations.
func ECHConfigList(keys []ECHKey) []byte {
	var b cryptobyte.Builder
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		for _, k := range keys {
			b.AddBytes(k.Config)
		}
	})
	return b.BytesOrPanic()
}

// NewECHKey makes an ECH configuration for publicName with a fresh X25519
// key (HKDF-SHA256, AES-128-GCM and ChaCha20-Poly1305), sent as a retry
// configuration.
func NewECHKey(rand io.Reader, configID uint8, publicName string) (ECHKey, error) {
	priv, err := ecdh.X25519().GenerateKey(rand)
	if err != nil {
		return ECHKey{}, err
	}
	var b cryptobyte.Builder
	b.AddUint16(echVersion)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(configID)
		b.AddUint16(kemX25519HKDFSHA256)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(priv.PublicKey().Bytes()) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(0x0001) // HKDF-SHA256
			b.AddUint16(0x0001) // AES-128-GCM
			b.AddUint16(0x0001)
			b.AddUint16(0x0003) // ChaCha20-Poly1305
		})
		b.AddUint8(0) // maximum_name_length: no hint
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(publicName)) })
		b.AddUint16(0) // no extensions
	})
	raw, err := b.Bytes()
	if err != nil {
		return ECHKey{}, err
	}
	return ECHKey{Config: raw, PrivateKey: priv.Bytes(), SendAsRetry: true}, nil
}
