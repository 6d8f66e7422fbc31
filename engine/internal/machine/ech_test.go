package machine

import (
	"bytes"
	"crypto/rand"
	"testing"

	"golang.org/x/crypto/cryptobyte"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// An outer hello whose encrypted_client_hello is of type inner, or
// malformed, is refused (illegal_parameter, decode_error); a decrypted
// inner hello that is malformed, lacks its inner marker or offers TLS 1.2
// is illegal_parameter (draft-ietf-tls-esni sections 5.1 and 7.1).
func TestECHRefusals(t *testing.T) {
	_, err := parseECHOffer([]byte{echInner})
	wantAlert(t, err, record.AlertIllegalParameter)
	_, err = parseECHOffer([]byte{echOuter, 0, 1})
	wantAlert(t, err, record.AlertDecodeError)

	outer := &handshake.ClientHello{SessionID: []byte{1, 2}, Extensions: []handshake.Extension{{Type: handshake.ExtServerName, Data: []byte{0}}}}
	good := innerEncoding([]uint16{handshake.VersionTLS13}, true, nil)
	if _, raw, err := decodeInnerHello(outer, good); err != nil || !bytes.Contains(raw, []byte{2, 1, 2}) {
		t.Fatalf("a good inner hello: %v", err)
	}
	for name, encoded := range map[string][]byte{
		"no inner marker":   innerEncoding([]uint16{handshake.VersionTLS13}, false, nil),
		"offers TLS 1.2":    innerEncoding([]uint16{handshake.VersionTLS13, handshake.VersionTLS12}, true, nil),
		"nonzero padding":   append(append([]byte{}, good...), 0, 7),
		"truncated":         good[:20],
		"missing outer ref": innerEncoding([]uint16{handshake.VersionTLS13}, true, []uint16{handshake.ExtALPN}),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := decodeInnerHello(outer, encoded)
			wantAlert(t, err, record.AlertIllegalParameter)
		})
	}
}

// innerEncoding is an EncodedClientHelloInner offering versions, with the
// inner marker or not, and ech_outer_extensions naming refs.
func innerEncoding(versions []uint16, marker bool, refs []uint16) []byte {
	var b cryptobyte.Builder
	b.AddUint16(handshake.VersionTLS12)
	b.AddBytes(make([]byte, 32))
	b.AddUint8(0) // empty session ID
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint16(handshake.TLS_AES_128_GCM_SHA256) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(handshake.ExtSupportedVersions)
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, v := range versions {
					b.AddUint16(v)
				}
			})
		})
		if marker {
			b.AddUint16(extECH)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(echInner) })
		}
		if refs != nil {
			b.AddUint16(extECHOuterExtensions)
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
					for _, r := range refs {
						b.AddUint16(r)
					}
				})
			})
		}
	})
	b.AddBytes(make([]byte, 5)) // padding
	return b.BytesOrPanic()
}

// NewECHKey's configuration parses back, and a retry list holds it.
func TestECHConfigRoundTrip(t *testing.T) {
	key, err := NewECHKey(rand.Reader, 3, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseECHConfig(key.Config)
	if err != nil || cfg.id != 3 || cfg.publicName != "public.test" || len(cfg.suites) != 2 || cfg.kem != kemX25519HKDFSHA256 {
		t.Fatalf("%+v, %v", cfg, err)
	}
	c := &Config{EncryptedClientHelloKeys: []ECHKey{key, {Config: []byte("not sent")}}}
	if list := c.retryConfigs(); !bytes.Equal(list[2:], key.Config) {
		t.Fatal("the retry list is not the one configuration sent as retry")
	}
}

// The ECH decoders never panic on bad input.
func FuzzECHDecoders(f *testing.F) {
	key, _ := NewECHKey(rand.Reader, 1, "p.test")
	f.Add(key.Config)
	f.Add(innerEncoding([]uint16{handshake.VersionTLS13}, true, []uint16{handshake.ExtServerName}))
	outer := &handshake.ClientHello{SessionID: []byte{1}, Extensions: []handshake.Extension{{Type: handshake.ExtServerName, Data: []byte{0}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		chooseECHConfig(data)
		parseECHConfig(data)
		parseECHOffer(data)
		decodeInnerHello(outer, data)
	})
}

// A client's inner hello sealed to our key opens; the same offer with one
// payload byte changed (a bad HPKE ciphertext) does not, and the server
// goes on with the outer hello (declining, as draft-ietf-tls-esni section
// 7.1 says) instead of failing.
func TestECHOpenAndBadCiphertext(t *testing.T) {
	key, err := NewECHKey(rand.Reader, 2, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	client := &Config{ServerName: "inner.test", InsecureAcceptUnauthorized: true,
		EncryptedClientHelloConfigList: ECHConfigList([]ECHKey{key})}
	outer, ech, err := shapeECH(client)
	if err != nil {
		t.Fatal(err)
	}
	server := &Config{EncryptedClientHelloKeys: []ECHKey{key}}
	parse := func(raw []byte) *handshake.ClientHello {
		ch := new(handshake.ClientHello)
		if err := handshake.Unmarshal(raw, ch); err != nil {
			t.Fatal(err)
		}
		return ch
	}
	got, err := server.openECH(parse(outer.Raw), outer.Raw)
	if err != nil || got.inner == nil || !bytes.Equal(got.innerRaw, ech.innerRaw) || got.inner.ServerName != "inner.test" {
		t.Fatalf("the inner hello did not open as sent: %v", err)
	}
	damaged := bytes.Clone(outer.Raw)
	damaged[len(damaged)-1] ^= 1 // the payload ends the hello's last extension
	got, err = server.openECH(parse(damaged), damaged)
	if err != nil || got.inner != nil || !got.offered {
		t.Fatalf("a bad ciphertext: inner %v, offered %v, %v", got.inner != nil, got.offered, err)
	}
}

// After a HelloRetryRequest took the inner hello, the second hello must
// carry ECH without an enc and a payload the first context opens
// (draft-ietf-tls-esni section 7.1.1): missing_extension, illegal_parameter
// and decrypt_error otherwise.
func TestECHSecondHelloRefusals(t *testing.T) {
	key, err := NewECHKey(rand.Reader, 2, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	client := &Config{ServerName: "inner.test", InsecureAcceptUnauthorized: true,
		EncryptedClientHelloConfigList: ECHConfigList([]ECHKey{key})}
	outer, _, err := shapeECH(client)
	if err != nil {
		t.Fatal(err)
	}
	first := new(handshake.ClientHello)
	if err := handshake.Unmarshal(outer.Raw, first); err != nil {
		t.Fatal(err)
	}
	got, err := (&Config{EncryptedClientHelloKeys: []ECHKey{key}}).openECH(first, outer.Raw)
	if err != nil || got.recipient == nil {
		t.Fatalf("the first hello did not open: %v", err)
	}
	withECH := func(data []byte) (*handshake.ClientHello, []byte) {
		h := &handshake.ClientHello{Version: handshake.VersionTLS12, CipherSuites: []uint16{handshake.TLS_AES_128_GCM_SHA256},
			CompressionMethods: []uint8{0}, Extensions: []handshake.Extension{{Type: 0x1234, Data: []byte{1}}}}
		if data != nil {
			h.Extensions = append(h.Extensions, handshake.Extension{Type: extECH, Data: data})
		}
		raw := handshake.Marshal(h)
		parsed := new(handshake.ClientHello)
		if err := handshake.Unmarshal(raw, parsed); err != nil {
			t.Fatal(err)
		}
		return parsed, raw
	}
	tests := []struct {
		name  string
		data  []byte
		alert record.Alert
	}{
		{"no ECH", nil, record.AlertMissingExtension},
		{"an enc", echOfferData(1, 1, 2, []byte{1, 2, 3}, []byte{4}), record.AlertIllegalParameter},
		{"a payload that does not open", echOfferData(1, 1, 2, nil, make([]byte, 64)), record.AlertDecryptError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, raw := withECH(tt.data)
			_, _, err := openECHRetry(got.recipient, h, raw)
			wantAlert(t, err, tt.alert)
		})
	}
}
