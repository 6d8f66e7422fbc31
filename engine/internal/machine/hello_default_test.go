package machine

import (
	"bytes"
	"crypto/tls"
	mrand "math/rand/v2"
	"net"
	"reflect"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/handshake"
)

// seeded is a deterministic randomness source for Config.Rand.
type seeded struct{ r *mrand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func newSeeded() seeded { return seeded{mrand.NewChaCha8([32]byte{7})} }

// The default hello we build ourselves is byte for byte the one uTLS makes
// of utlsDefaultSpec from the same randomness, and its decoded view is what
// parsing those bytes gives, for every combination of options that changes
// the default hello.
func TestDefaultHelloMatchesUTLS(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
	}{
		{"defaults", func(*Config) {}},
		{"TLS 1.3 only", func(c *Config) { c.MinVersion = handshake.VersionTLS13 }},
		{"TLS 1.2 only", func(c *Config) { c.MaxVersion = handshake.VersionTLS12 }},
		{"hybrid first", func(c *Config) { c.CurvePreferences = []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256} }},
		{"P-256 only", func(c *Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} }},
		{"IP address, no SNI", func(c *Config) { c.ServerName = "192.0.2.1" }},
		{"ALPN, ALPS, NPN", func(c *Config) {
			c.NextProtos = []string{"h2", "http/1.1"}
			c.ApplicationSettings = map[string][]byte{"h2": {1}}
			c.NPNProtocols = []string{"spdy/3"}
		}},
		{"session cache", func(c *Config) { c.ClientSessionCache = NewSessionCache(4) }},
		{"certificate compression", func(c *Config) { c.CertCompression = []uint16{2, 1} }},
		{"suites", func(c *Config) {
			c.CipherSuites = []uint16{tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := clientCfg(t)
			tc.edit(c)
			c.Rand = newSeeded()
			ours, _, err := defaultHello(c)
			if err != nil {
				t.Fatal(err)
			}
			c.Rand = newSeeded()
			spec, keys, err := utlsDefaultSpec(c)
			if err != nil {
				t.Fatal(err)
			}
			theirs, err := buildWithUTLS(c, utls.HelloCustom, spec, keys)
			if err != nil {
				t.Fatal(err)
			}
			raw := handshake.Marshal(ours)
			if !bytes.Equal(raw, theirs.Raw) {
				t.Fatalf("our default hello differs from uTLS's:\nours   %x\ntheirs %x", raw, theirs.Raw)
			}
			parsed := new(handshake.ClientHello)
			if err := handshake.Unmarshal(raw, parsed); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(parsed, ours) {
				t.Fatalf("decoded view differs from the parse:\nbuilt  %+v\nparsed %+v", ours, parsed)
			}
		})
	}
}

// utlsDefaultSpec is the default hello as the uTLS spec it was built from
// before defaultHello: the reference defaultHello must match byte for
// byte. Its key shares come from Config.Rand (uTLS would ignore Rand for
// keys), so it replays exactly.
func utlsDefaultSpec(cfg *Config) (*utls.ClientHelloSpec, []*handshake.ClientKeyShare, error) {
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
		shares, k, err := utlsDefaultKeyShares(cfg, groups)
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

// utlsDefaultKeyShares are defaultShares in uTLS's form, for utlsDefaultSpec.
func utlsDefaultKeyShares(cfg *Config, groups []uint16) ([]utls.KeyShare, []*handshake.ClientKeyShare, error) {
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
