package machine

import (
	"io"
	"net"
	"slices"

	"github.com/securepair/securepair/handshake"
)

// The default hello (no shape asked for) is built here with our own codec,
// already decoded: no uTLS and no parse of bytes we just wrote. It is byte
// for byte the hello uTLS made of the same choices before (the test keeps
// that uTLS spec, utlsDefaultSpec, and compares: TestDefaultHelloMatchesUTLS).

// defaultHello builds the default first hello and its key shares.
func defaultHello(cfg *Config) (*handshake.ClientHello, []*handshake.ClientKeyShare, error) {
	with13, with12 := cfg.allows(handshake.VersionTLS13), cfg.allows(handshake.VersionTLS12)
	groups := cfg.groups()
	if !with13 {
		groups = filter(groups, func(g uint16) bool { return contains(groups12, g) })
	}
	h := &handshake.ClientHello{Version: handshake.VersionTLS12, CompressionMethods: []uint8{0}}
	if with13 {
		for _, s := range cfg.suites() {
			h.CipherSuites = append(h.CipherSuites, s.ID)
		}
		h.SupportedVersions = append(h.SupportedVersions, handshake.VersionTLS13)
	}
	if with12 {
		for _, s := range cfg.suites12() {
			h.CipherSuites = append(h.CipherSuites, s.ID)
		}
		h.SupportedVersions = append(h.SupportedVersions, handshake.VersionTLS12)
	}
	var keys []*handshake.ClientKeyShare
	if with13 {
		var err error
		if keys, h.KeyShares, err = defaultShares(cfg, groups); err != nil {
			return nil, nil, err
		}
	}
	if err := drawRandoms(cfg.rand(), h); err != nil {
		return nil, nil, err
	}
	h.SupportedGroups, h.SignatureAlgorithms = slices.Clone(groups), slices.Clone(cfg.schemesOffered())
	addDefaultExtensions(cfg, h, with13, with12)
	return h, keys, nil
}

// defaultHelloWith is the default hello with ext added last, encoded: the
// two hellos of Encrypted Client Hello.
func defaultHelloWith(cfg *Config, ext handshake.Extension) (*ShapedHello, error) {
	h, keys, err := defaultHello(cfg)
	if err != nil {
		return nil, err
	}
	h.Extensions = append(h.Extensions, ext)
	return &ShapedHello{Raw: handshake.Marshal(h), Keys: keys}, nil
}

// drawRandoms fills the random and the session ID (random in TLS 1.2, for
// middlebox compatibility in TLS 1.3: RFC 8446 appendix D.4). uTLS draws a
// GREASE seed between the two; drawing and dropping as much keeps a seeded
// Config.Rand giving the same hello as when uTLS built it.
func drawRandoms(r io.Reader, h *handshake.ClientHello) error {
	var greaseSeed [42]byte
	h.SessionID = make([]byte, 32)
	for _, b := range [][]byte{h.Random[:], greaseSeed[:], h.SessionID} {
		if _, err := io.ReadFull(r, b); err != nil {
			return err
		}
	}
	return nil
}

// defaultShares makes one key share for the first group, plus X25519 when
// that group is the X25519MLKEM768 hybrid.
func defaultShares(cfg *Config, groups []uint16) ([]*handshake.ClientKeyShare, []handshake.KeyShare, error) {
	shareGroups := []uint16{groups[0]}
	if groups[0] == handshake.GroupX25519MLKEM768 && contains(groups, handshake.GroupX25519) {
		shareGroups = append(shareGroups, handshake.GroupX25519)
	}
	var keys []*handshake.ClientKeyShare
	var shares []handshake.KeyShare
	for _, g := range shareGroups {
		k, pub, err := handshake.NewClientKeyShare(g, cfg.rand())
		if err != nil {
			return nil, nil, err
		}
		keys = append(keys, k)
		shares = append(shares, handshake.KeyShare{Group: g, Data: pub})
	}
	return keys, shares, nil
}

// addDefaultExtensions encodes the extensions in their order and fills
// their decoded views.
func addDefaultExtensions(cfg *Config, h *handshake.ClientHello, with13, with12 bool) {
	add := func(e handshake.Extension) { h.Extensions = append(h.Extensions, e) }
	if cfg.ServerName != "" && net.ParseIP(cfg.ServerName) == nil {
		h.ServerName = cfg.ServerName
		add(handshake.ServerNameExt(cfg.ServerName))
	}
	h.StatusRequest, h.SCT = true, true
	add(handshake.StatusRequestExt())
	add(handshake.EmptyExt(handshake.ExtSCT))
	if with12 {
		h.ExtendedMasterSecret, h.RenegotiationInfo, h.ECPointFormats = true, []byte{}, []uint8{0}
		add(handshake.EmptyExt(handshake.ExtExtendedMasterSecret))
		add(handshake.BytesExt(handshake.ExtRenegotiationInfo, 1, nil))
		add(handshake.BytesExt(handshake.ExtECPointFormats, 1, h.ECPointFormats))
		if cfg.ClientSessionCache != nil {
			h.SessionTicket = []byte{}
			add(handshake.EmptyExt(handshake.ExtSessionTicket))
		}
	}
	if len(cfg.CertCompression) > 0 && with13 {
		h.CompressCertificate = slices.Clone(cfg.CertCompression)
		add(handshake.CompressCertificateExt(h.CompressCertificate))
	}
	add(handshake.Uint16ListExt(handshake.ExtSupportedGroups, h.SupportedGroups))
	add(handshake.Uint16ListExt(handshake.ExtSignatureAlgorithms, h.SignatureAlgorithms))
	if with13 {
		h.PSKModes = []uint8{pskModeDHEKE}
		add(handshake.KeyShareClientExt(h.KeyShares))
		add(handshake.BytesExt(handshake.ExtPSKModes, 1, h.PSKModes))
	}
	add(handshake.SupportedVersionsClientExt(h.SupportedVersions))
	if len(cfg.NextProtos) > 0 {
		h.ALPN = slices.Clone(cfg.NextProtos)
		add(handshake.ALPNExt(cfg.NextProtos))
	}
	if alps := alpsOffered(cfg); len(alps) > 0 && with13 {
		e := handshake.ALPNExt(alps) // the same list of protocol names
		e.Type = extALPS
		add(e)
	}
	if with12 && len(cfg.NPNProtocols) > 0 {
		h.NextProtoNeg = true
		add(handshake.EmptyExt(handshake.ExtNextProtoNeg))
	}
}

// alpsOffered are the ALPN protocols with application settings.
func alpsOffered(cfg *Config) []string {
	var alps []string
	for _, p := range cfg.NextProtos {
		if _, ok := cfg.ApplicationSettings[p]; ok {
			alps = append(alps, p)
		}
	}
	return alps
}
