package machine

import (
	"crypto/ecdh"
	"fmt"
	"net"

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

// defaultSpec derives a hello from the Config. Its key shares are made here
// from Config.Rand (uTLS would ignore Rand for keys), so it replays exactly.
func defaultSpec(cfg *Config) (*utls.ClientHelloSpec, []*handshake.ClientKeyShare, error) {
	with13, with12 := cfg.allows(handshake.VersionTLS13), cfg.allows(handshake.VersionTLS12)
	groups := cfg.groups()
	if !with13 {
		groups = filter(groups, func(g uint16) bool { return contains(groups12, g) })
	}
	var suites, versions []uint16
	if with13 {
		for _, s := range cfg.suites() {
			suites = append(suites, s.ID)
		}
		versions = append(versions, handshake.VersionTLS13)
	}
	if with12 {
		for _, s := range cfg.suites12() {
			suites = append(suites, s.ID)
		}
		versions = append(versions, handshake.VersionTLS12)
	}
	curves := make([]utls.CurveID, len(groups))
	for i, g := range groups {
		curves[i] = utls.CurveID(g)
	}
	offered := cfg.schemesOffered()
	sigs := make([]utls.SignatureScheme, len(offered))
	for i, s := range offered {
		sigs[i] = utls.SignatureScheme(s)
	}
	var exts []utls.TLSExtension
	if cfg.ServerName != "" && net.ParseIP(cfg.ServerName) == nil {
		exts = append(exts, &utls.SNIExtension{ServerName: cfg.ServerName})
	}
	// Ask for the OCSP staple and Certificate Transparency timestamps, as
	// browsers do (ConnectionState reports them).
	exts = append(exts, &utls.StatusRequestExtension{}, &utls.SCTExtension{})
	if with12 {
		exts = append(exts,
			&utls.ExtendedMasterSecretExtension{},
			&utls.RenegotiationInfoExtension{Renegotiation: utls.RenegotiateOnceAsClient},
			&utls.SupportedPointsExtension{SupportedPoints: []uint8{0}},
		)
		if cfg.ClientSessionCache != nil {
			exts = append(exts, &utls.SessionTicketExtension{})
		}
	}
	if len(cfg.CertCompression) > 0 && with13 {
		algs := make([]utls.CertCompressionAlgo, len(cfg.CertCompression))
		for i, a := range cfg.CertCompression {
			algs[i] = utls.CertCompressionAlgo(a)
		}
		exts = append(exts, &utls.UtlsCompressCertExtension{Algorithms: algs})
	}
	exts = append(exts,
		&utls.SupportedCurvesExtension{Curves: curves},
		&utls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: sigs},
	)
	var keys []*handshake.ClientKeyShare
	if with13 {
		shares, k, err := defaultKeyShares(cfg, groups)
		if err != nil {
			return nil, nil, err
		}
		keys = k
		exts = append(exts,
			&utls.KeyShareExtension{KeyShares: shares},
			&utls.PSKKeyExchangeModesExtension{Modes: []uint8{utls.PskModeDHE}},
		)
	}
	exts = append(exts, &utls.SupportedVersionsExtension{Versions: versions})
	if len(cfg.NextProtos) > 0 {
		exts = append(exts, &utls.ALPNExtension{AlpnProtocols: cfg.NextProtos})
	}
	var alps []string
	for _, p := range cfg.NextProtos {
		if _, ok := cfg.ApplicationSettings[p]; ok {
			alps = append(alps, p)
		}
	}
	if len(alps) > 0 && with13 {
		exts = append(exts, &utls.ApplicationSettingsExtensionNew{SupportedProtocols: alps})
	}
	if with12 && len(cfg.NPNProtocols) > 0 {
		exts = append(exts, &utls.NPNExtension{NextProtos: cfg.NPNProtocols})
	}
	return &utls.ClientHelloSpec{
		TLSVersMin:         cfg.minVersion(),
		TLSVersMax:         cfg.maxVersion(),
		CipherSuites:       suites,
		CompressionMethods: []uint8{0},
		Extensions:         exts,
	}, keys, nil
}

// defaultKeyShares are defaultShares in uTLS's form, for defaultSpec.
func defaultKeyShares(cfg *Config, groups []uint16) ([]utls.KeyShare, []*handshake.ClientKeyShare, error) {
	keys, shares, err := defaultShares(cfg, groups)
	if err != nil {
		return nil, nil, err
	}
	out := make([]utls.KeyShare, len(shares))
	for i, ks := range shares {
		out[i] = utls.KeyShare{Group: utls.CurveID(ks.Group), Data: ks.Data}
	}
	return out, keys, nil
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
