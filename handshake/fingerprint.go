package handshake

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Fingerprint identifies the client software behind a ClientHello: JA3
// (its string and MD5) and JA4 over TCP (the fingerprint and its raw,
// sorted form JA4_r), GREASE values left out as both specifications say.
type Fingerprint struct {
	JA3     string // SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats
	JA3Hash string // MD5 of JA3, hex
	JA4     string // e.g. t13d1516h2_8daaf6152771_e5627efa2ab1
	JA4Raw  string // JA4_r: the sorted lists JA4 hashes
}

// Fingerprint computes the hello's JA3 and JA4 from what it carries.
func (m *ClientHello) Fingerprint() Fingerprint {
	ja3 := m.ja3()
	sum := md5.Sum([]byte(ja3))
	a, ciphers, exts := m.ja4a(), m.ja4Ciphers(), m.ja4Extensions()
	return Fingerprint{
		JA3: ja3, JA3Hash: hex.EncodeToString(sum[:]),
		JA4:    a + "_" + ja4Hash(ciphers) + "_" + ja4Hash(exts),
		JA4Raw: a + "_" + ciphers + "_" + exts,
	}
}

// noGREASE returns list without GREASE values.
func noGREASE(list []uint16) []uint16 {
	return slices.DeleteFunc(slices.Clone(list), IsGREASE)
}

func (m *ClientHello) extensionTypes() []uint16 {
	types := make([]uint16, len(m.Extensions))
	for i, e := range m.Extensions {
		types[i] = e.Type
	}
	return noGREASE(types)
}

func joinInts[T uint8 | uint16](list []T, format func(T) string, sep string) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = format(v)
	}
	return strings.Join(parts, sep)
}

func decimal[T uint8 | uint16](v T) string { return strconv.Itoa(int(v)) }
func hex4(v uint16) string                 { return fmt.Sprintf("%04x", v) }

// ja3 is JA3's string: decimal values, "-" within a field, "," between.
func (m *ClientHello) ja3() string {
	return strings.Join([]string{
		strconv.Itoa(int(m.Version)),
		joinInts(noGREASE(m.CipherSuites), decimal[uint16], "-"),
		joinInts(m.extensionTypes(), decimal[uint16], "-"),
		joinInts(noGREASE(m.SupportedGroups), decimal[uint16], "-"),
		joinInts(m.ECPointFormats, decimal[uint8], "-"),
	}, ",")
}

// ja4a is JA4's first part: protocol, version, SNI, counts, ALPN.
func (m *ClientHello) ja4a() string {
	sni := "i"
	if m.HasExtension(ExtServerName) {
		sni = "d"
	}
	return fmt.Sprintf("t%s%s%02d%02d%s", ja4Version(m), sni,
		min(len(noGREASE(m.CipherSuites)), 99), min(len(m.extensionTypes()), 99), ja4ALPN(m.ALPN))
}

func ja4Version(m *ClientHello) string {
	v := m.Version
	if versions := noGREASE(m.SupportedVersions); len(versions) > 0 {
		v = slices.Max(versions)
	}
	names := map[uint16]string{0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
		0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3"}
	if name, ok := names[v]; ok {
		return name
	}
	return "00"
}

// ja4ALPN is the first and last character of the first ALPN protocol, or of
// its hex form when either is not alphanumeric; "00" without one.
func ja4ALPN(protos []string) string {
	if len(protos) == 0 || protos[0] == "" {
		return "00"
	}
	p := protos[0]
	alnum := func(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
	if !alnum(p[0]) || !alnum(p[len(p)-1]) {
		h := hex.EncodeToString([]byte(p))
		return h[:1] + h[len(h)-1:]
	}
	return p[:1] + p[len(p)-1:]
}

// ja4Ciphers is the sorted cipher list of JA4_r.
func (m *ClientHello) ja4Ciphers() string {
	ciphers := noGREASE(m.CipherSuites)
	slices.Sort(ciphers)
	return joinInts(ciphers, hex4, ",")
}

// ja4Extensions is the sorted extension list without SNI and ALPN, then the
// signature algorithms in their order.
func (m *ClientHello) ja4Extensions() string {
	exts := slices.DeleteFunc(m.extensionTypes(), func(t uint16) bool { return t == ExtServerName || t == ExtALPN })
	slices.Sort(exts)
	out := joinInts(exts, hex4, ",")
	if sigs := noGREASE(m.SignatureAlgorithms); len(sigs) > 0 {
		out += "_" + joinInts(sigs, hex4, ",")
	}
	return out
}

// ja4Hash is the first 12 hex characters of SHA-256, or twelve zeros for an
// empty list.
func ja4Hash(list string) string {
	if list == "" || strings.HasPrefix(list, "_") {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(list))
	return hex.EncodeToString(sum[:])[:12]
}
