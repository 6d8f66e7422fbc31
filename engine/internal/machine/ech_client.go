package machine

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/subtle"
	"errors"

	utls "github.com/refraction-networking/utls"
	"golang.org/x/crypto/cryptobyte"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// Encrypted Client Hello, the client's side: the real hello (the inner
// one, with the server name and ALPN) travels encrypted to the server's
// ECH configuration inside an outer hello that names only the
// configuration's public name.

// alertECHRequired is the alert a client sends when the server declined
// its inner hello (draft-ietf-tls-esni section 11.2).
const alertECHRequired record.Alert = 121

// ECHRejectionError is a client's error when the server declined its
// encrypted inner hello: the handshake with the outer hello authenticated
// the server for the public name, and RetryConfigList holds the server's
// current configurations (empty if it sent none) for another attempt.
type ECHRejectionError struct {
	RetryConfigList []byte
}

func (e *ECHRejectionError) Error() string {
	return "securepair: the server declined the encrypted ClientHello"
}

// echClient is an offered inner hello, kept until the ServerHello tells
// whether the server took it.
type echClient struct {
	inner      *handshake.ClientHello
	innerRaw   []byte
	innerKeys  []*handshake.ClientKeyShare
	publicName string
	declined   bool   // the server went on with the outer hello
	retry      []byte // its retry configurations
	// For a second hello after a HelloRetryRequest: the HPKE context and
	// suite, and, once the HelloRetryRequest took the inner hello, the
	// transcript's start (its message_hash and the HelloRetryRequest).
	sender    *hpke.Sender
	kdf, aead uint16
	configID  uint8
	prefix    []byte
}

// chooseECHConfig picks the first configuration of list the client can
// use: X25519 and a suite it knows.
func chooseECHConfig(list []byte) (cfg *echConfig, raw []byte, kdf, aead uint16, err error) {
	s := cryptobyte.String(list)
	var configs cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&configs) || !s.Empty() {
		return nil, nil, 0, 0, errors.New("malformed ECHConfigList")
	}
	for !configs.Empty() {
		start := []byte(configs)
		var version uint16
		var body cryptobyte.String
		if !configs.ReadUint16(&version) || !configs.ReadUint16LengthPrefixed(&body) {
			return nil, nil, 0, 0, errors.New("malformed ECHConfigList")
		}
		one := start[:4+len(body)]
		c, err := parseECHConfig(one)
		if err != nil || c.kem != kemX25519HKDFSHA256 {
			continue // another version or KEM: skipped, as the draft says
		}
		for _, suite := range c.suites {
			if _, err := hpke.NewKDF(suite[0]); err != nil {
				continue
			}
			if _, err := hpke.NewAEAD(suite[1]); err == nil {
				return c, one, suite[0], suite[1], nil
			}
		}
	}
	return nil, nil, 0, 0, errors.New("no usable configuration in the ECHConfigList")
}

// shapeECH builds the outer hello (sent) and the inner one (encrypted in
// it) from the Config, which must derive its hello (no shape).
func shapeECH(cfg *Config) (*ShapedHello, *echClient, error) {
	config, configRaw, kdfID, aeadID, err := chooseECHConfig(cfg.EncryptedClientHelloConfigList)
	if err != nil {
		return nil, nil, err
	}
	innerCfg := *cfg
	innerCfg.MinVersion = handshake.VersionTLS13 // ECH is TLS 1.3's
	innerCfg.ClientHelloID = nil                 // the inner hello is derived; a shape shapes the outer one
	innerShaped, err := defaultHelloWith(&innerCfg, handshake.Extension{Type: extECH, Data: []byte{echInner}})
	if err != nil {
		return nil, nil, err
	}
	encoded := encodeInnerHello(innerShaped.Raw)

	pub, err := ecdh.X25519().NewPublicKey(config.publicKey)
	if err != nil {
		return nil, nil, err
	}
	pk, err := hpke.NewDHKEMPublicKey(pub)
	if err != nil {
		return nil, nil, err
	}
	kdf, _ := hpke.NewKDF(kdfID)
	aead, _ := hpke.NewAEAD(aeadID)
	enc, sender, err := hpke.NewSender(pk, kdf, aead, append([]byte("tls ech\x00"), configRaw...))
	if err != nil {
		return nil, nil, err
	}
	zeros := make([]byte, len(encoded)+16) // the payload, sealed later
	offer := echOfferData(kdfID, aeadID, config.id, enc, zeros)

	outerCfg := innerCfg
	outerCfg.ServerName, outerCfg.ClientHelloID = config.publicName, cfg.ClientHelloID
	outer, err := outerHello(&outerCfg, offer)
	if err != nil {
		return nil, nil, err
	}
	if err := sealInto(sender, outer.Raw, offer, encoded); err != nil {
		return nil, nil, err
	}

	// The inner hello as the server rebuilds it: with the outer session ID.
	innerRaw := withSessionID(innerShaped.Raw, outer.Raw)
	inner := new(handshake.ClientHello)
	if err := handshake.Unmarshal(innerRaw, inner); err != nil {
		return nil, nil, internal(err)
	}
	return outer, &echClient{inner: inner, innerRaw: innerRaw, innerKeys: innerShaped.Keys, publicName: config.publicName,
		sender: sender, kdf: kdfID, aead: aeadID, configID: config.id}, nil
}

// outerHello is the outer hello carrying the ECH offer: the hello derived
// from the Config with it, or a browser shape's own hello, its GREASE ECH
// extension replaced by the real one (added if it had none).
func outerHello(cfg *Config, offer []byte) (*ShapedHello, error) {
	if cfg.ClientHelloID == nil {
		return defaultHelloWith(cfg, handshake.Extension{Type: extECH, Data: offer})
	}
	spec, err := utls.UTLSIdToSpec(*cfg.ClientHelloID)
	if err != nil {
		return nil, err
	}
	ech := &utls.GenericExtension{Id: extECH, Data: offer}
	replaced := false
	for i, e := range spec.Extensions {
		if _, grease := e.(*utls.GREASEEncryptedClientHelloExtension); grease {
			spec.Extensions[i], replaced = ech, true
		}
	}
	if !replaced {
		spec.Extensions = append(spec.Extensions, ech)
	}
	return buildWithUTLS(cfg, utls.HelloCustom, &spec, nil) // uTLS makes the shape's key shares
}

// sealInto seals the encoded inner hello to outerRaw, whose ECH extension
// is offer with its payload zeroed: read so (the AAD), then the payload
// takes the zeros' place.
func sealInto(sender *hpke.Sender, outerRaw, offer, encoded []byte) error {
	at := bytes.Index(outerRaw, offer)
	if at < 0 {
		return errors.New("the outer hello lost its ECH extension")
	}
	payload, err := sender.Seal(outerRaw[handshake.HeaderLen:], encoded)
	if err != nil {
		return err
	}
	copy(outerRaw[at+len(offer)-len(payload):], payload)
	return nil
}

// echOfferData is an outer ECHClientHello.
func echOfferData(kdf, aead uint16, configID uint8, enc, payload []byte) []byte {
	var b cryptobyte.Builder
	b.AddUint8(echOuter)
	b.AddUint16(kdf)
	b.AddUint16(aead)
	b.AddUint8(configID)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(enc) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(payload) })
	return b.BytesOrPanic()
}

// sessionIDAt is where a ClientHello's legacy_session_id length byte is.
const sessionIDAt = handshake.HeaderLen + 2 + 32

// encodeInnerHello is EncodedClientHelloInner: the body without the
// session ID, padded with zeros to a multiple of 32 bytes
// (draft-ietf-tls-esni section 6.1.3).
func encodeInnerHello(raw []byte) []byte {
	sidLen := int(raw[sessionIDAt])
	out := append([]byte{}, raw[handshake.HeaderLen:sessionIDAt]...)
	out = append(out, 0)
	out = append(out, raw[sessionIDAt+1+sidLen:]...)
	return append(out, make([]byte, 31-(len(out)+31)%32)...)
}

// withSessionID is hello with the session ID of other.
func withSessionID(hello, other []byte) []byte {
	sid := other[sessionIDAt : sessionIDAt+1+int(other[sessionIDAt])]
	out := append([]byte{}, hello[:sessionIDAt]...)
	out = append(out, sid...)
	out = append(out, hello[sessionIDAt+1+int(hello[sessionIDAt]):]...)
	n := len(out) - handshake.HeaderLen
	out[1], out[2], out[3] = byte(n>>16), byte(n>>8), byte(n)
	return out
}

// echAnswered reads the ServerHello's verdict on the inner hello: the
// confirmation in its random means taken, and the client goes on with the
// inner hello; otherwise it goes on with the outer one, authenticates the
// server for the public name, and fails with ECHRejectionError at the end.
func (c *clientShared) echAnswered(sh *handshake.ServerHello) error {
	suite := handshake.Suite13ByID(sh.CipherSuite)
	if suite == nil {
		return nil // checkCommon refuses it
	}
	if c.ech.declined {
		return nil // declined at the HelloRetryRequest
	}
	zeroed := *sh
	clear(zeroed.Random[24:])
	want, err := echConfirmation(suite, c.ech.inner.Random[:], c.ech.prefix, c.ech.innerRaw, handshake.Marshal(&zeroed))
	if err != nil {
		return internal(err)
	}
	if subtle.ConstantTimeCompare(want, sh.Random[24:]) == 1 {
		c.hello, c.helloRaw, c.keys = c.ech.inner, c.ech.innerRaw, c.ech.innerKeys
		c.state.ECHAccepted, c.state.ServerName = true, c.ech.inner.ServerName
		return nil
	}
	if c.ech.prefix != nil {
		return illegal("the ServerHello declines the inner hello its HelloRetryRequest took")
	}
	c.echDecline()
	return nil
}

// echDecline goes on with the outer hello: the server is authenticated for
// the public name, and the handshake fails with ECHRejectionError at its
// end.
func (c *clientShared) echDecline() {
	c.ech.declined = true
	outerCfg := *c.cfg
	outerCfg.ServerName = c.ech.publicName // the certificate must be the public name's
	c.cfg = &outerCfg
}

// echRetryAnswered reads a HelloRetryRequest's verdict on the inner hello:
// its encrypted_client_hello carries the confirmation when the server took
// it (draft-ietf-tls-esni section 7.2.1).
func (c *clientShared) echRetryAnswered(hrr []byte, suite *handshake.Suite) (bool, error) {
	var got []byte
	var sh handshake.ServerHello
	if err := handshake.Unmarshal(hrr, &sh); err != nil {
		return false, internal(err)
	}
	for _, e := range sh.Extensions {
		if e.Type == extECH {
			got = e.Data
		}
	}
	if len(got) != 8 {
		c.echDecline()
		return false, nil
	}
	marker := append([]byte{byte(extECH >> 8), byte(extECH & 0xff), 0, 8}, got...)
	at := bytes.LastIndex(hrr, marker)
	zeroed := bytes.Clone(hrr)
	clear(zeroed[at+4 : at+12])
	want, err := hrrECHConfirmation(suite, c.ech.inner.Random[:], c.ech.innerRaw, zeroed)
	if err != nil {
		return false, internal(err)
	}
	if subtle.ConstantTimeCompare(want, got) != 1 {
		c.echDecline()
		return false, nil
	}
	return true, nil
}

// echRetryHellos builds the second inner hello and the second outer hello
// that carries it, sealed with the first's HPKE context (no enc), and goes
// on with the inner one.
func (c *clientShared) echRetryHellos(hrr *handshake.ServerHello, hrrRaw []byte, suite *handshake.Suite) (inner2, outer2 []byte, err error) {
	outer1, outer1Raw, outerKeys := c.hello, c.helloRaw, c.keys
	c.ech.prefix = append(handshake.MessageHash(suite, c.ech.innerRaw), hrrRaw...)
	c.hello, c.helloRaw, c.keys = c.ech.inner, c.ech.innerRaw, c.ech.innerKeys
	if inner2, err = c.retryHello(hrr, hrrRaw, suite); err != nil {
		return nil, nil, err
	}
	innerHello, innerKeys := c.hello, c.keys
	c.hello, c.helloRaw, c.keys = outer1, outer1Raw, outerKeys
	if _, err = c.retryHello(hrr, hrrRaw, suite); err != nil {
		return nil, nil, err
	}
	encoded := encodeInnerHello(inner2)
	offer := echOfferData(c.ech.kdf, c.ech.aead, c.ech.configID, nil, make([]byte, len(encoded)+16))
	h := *c.hello
	h.Extensions = append([]handshake.Extension{}, h.Extensions...)
	for i := range h.Extensions {
		if h.Extensions[i].Type == extECH {
			h.Extensions[i].Data = offer
		}
	}
	outer2 = handshake.Marshal(&h)
	if err := sealInto(c.ech.sender, outer2, offer, encoded); err != nil {
		return nil, nil, internal(err)
	}
	c.hello, c.helloRaw, c.keys = innerHello, inner2, innerKeys
	c.ech.inner, c.ech.innerRaw, c.ech.innerKeys = innerHello, inner2, innerKeys
	return inner2, outer2, nil
}
