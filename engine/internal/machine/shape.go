package machine

import (
	"crypto/ecdh"
	"fmt"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/handshake"
)

// ShapedHello is a client's first ClientHello as bytes, with the private keys
// of the key shares it carries.
type ShapedHello struct {
	Raw  []byte
	Keys []*handshake.ClientKeyShare
}

// buildFirstHello builds the client's first hello, decoded and encoded: the
// default one directly (hello_default.go); a shaped one, or one with ECH,
// through uTLS or the Config's shaper, and then decoded.
func buildFirstHello(cfg *Config) (*handshake.ClientHello, []byte, []*handshake.ClientKeyShare, *echClient, error) {
	if len(cfg.EncryptedClientHelloConfigList) == 0 && cfg.ShapeHello == nil &&
		cfg.ClientHelloSpec == nil && cfg.ClientHelloID == nil {
		hello, keys, err := defaultHello(cfg)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		return hello, handshake.Marshal(hello), keys, nil, nil
	}
	var shaped *ShapedHello
	var ech *echClient
	var err error
	switch {
	case len(cfg.EncryptedClientHelloConfigList) > 0:
		shaped, ech, err = shapeECH(cfg)
	case cfg.ShapeHello != nil:
		shaped, err = cfg.ShapeHello()
	default:
		shaped, err = shapeWithUTLS(cfg)
	}
	if err != nil {
		return nil, nil, nil, nil, err
	}
	hello := new(handshake.ClientHello)
	if err := handshake.Unmarshal(shaped.Raw, hello); err != nil {
		return nil, nil, nil, nil, internal(err)
	}
	return hello, shaped.Raw, shaped.Keys, ech, nil
}

// shapeWithUTLS has uTLS build the hello of the Config's spec or ID.
func shapeWithUTLS(cfg *Config) (*ShapedHello, error) {
	if cfg.ClientHelloSpec != nil {
		return buildWithUTLS(cfg, utls.HelloCustom, cfg.ClientHelloSpec(), nil)
	}
	return buildWithUTLS(cfg, *cfg.ClientHelloID, nil, nil)
}

// buildWithUTLS has uTLS encode the hello of id, or of spec (with the keys
// of its shares when we made them).
func buildWithUTLS(cfg *Config, id utls.ClientHelloID, spec *utls.ClientHelloSpec, keys []*handshake.ClientKeyShare) (*ShapedHello, error) {
	ucfg := &utls.Config{
		ServerName:         cfg.ServerName,
		Rand:               cfg.rand(),
		NextProtos:         cfg.NextProtos,
		InsecureSkipVerify: true, // uTLS only builds the hello; we verify
		// A shape's pre_shared_key extension stays out until there is a
		// ticket to offer, which we add ourselves.
		OmitEmptyPsk: true,
	}
	uc := utls.UClient(nil, ucfg, id)
	if spec != nil {
		if err := uc.ApplyPreset(spec); err != nil {
			return nil, fmt.Errorf("handshake: uTLS spec: %w", err)
		}
	}
	if err := uc.BuildHandshakeState(); err != nil {
		return nil, fmt.Errorf("handshake: uTLS hello: %w", err)
	}
	if keys == nil {
		keys = utlsKeys(uc.HandshakeState.State13.KeyShareKeys)
	}
	raw := uc.HandshakeState.Hello.Raw
	if len(raw) == 0 {
		// HelloGolang leaves Raw empty: uTLS builds Go's own hello and
		// encodes it only when sending.
		var err error
		if raw, err = uc.HandshakeState.Hello.Marshal(); err != nil {
			return nil, fmt.Errorf("handshake: uTLS hello: %w", err)
		}
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("handshake: uTLS builds no hello for %s", id.Str())
	}
	return &ShapedHello{Raw: raw, Keys: keys}, nil
}

// utlsKeys converts the private keys uTLS generated for its shares.
func utlsKeys(k *utls.KeySharePrivateKeys) []*handshake.ClientKeyShare {
	if k == nil {
		return nil
	}
	var keys []*handshake.ClientKeyShare
	hybridECDH := k.MlkemEcdhe
	if hybridECDH == nil && k.Ecdhe != nil && k.Ecdhe.Curve() == ecdh.X25519() {
		hybridECDH = k.Ecdhe // Go's own hello (HelloGolang) shares one X25519 key
	}
	if k.Mlkem != nil && hybridECDH != nil {
		keys = append(keys, &handshake.ClientKeyShare{Group: handshake.GroupX25519MLKEM768, ECDH: hybridECDH, MLKEM: k.Mlkem})
	}
	if k.Ecdhe != nil {
		keys = append(keys, &handshake.ClientKeyShare{Group: handshake.CurveGroup(k.Ecdhe.Curve()), ECDH: k.Ecdhe})
	}
	return keys
}

func filter[T any](list []T, keep func(T) bool) []T {
	var out []T
	for _, v := range list {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}
