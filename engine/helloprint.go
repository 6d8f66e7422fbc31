package engine

import "github.com/securepair/securepair/handshake"

// helloPrint is what a ClientHello's fingerprint (JA3, JA4) is computed
// from, kept compact: a long-lived connection holds it for when its
// ConnectionState is asked for, and a decoded hello would cost several
// hundred bytes more.
type helloPrint struct {
	version uint16
	alpn    string   // the first ALPN protocol
	lists   []uint16 // extension types, suites, groups, schemes, versions, point formats
	lens    [6]uint16
}

func newHelloPrint(ch *handshake.ClientHello) *helloPrint {
	p := &helloPrint{version: ch.Version}
	if len(ch.ALPN) > 0 {
		p.alpn = ch.ALPN[0]
	}
	n := len(ch.Extensions) + len(ch.CipherSuites) + len(ch.SupportedGroups) +
		len(ch.SignatureAlgorithms) + len(ch.SupportedVersions) + len(ch.ECPointFormats)
	p.lists = make([]uint16, 0, n)
	for _, e := range ch.Extensions {
		p.lists = append(p.lists, e.Type)
	}
	p.lens[0] = uint16(len(ch.Extensions))
	for i, list := range [][]uint16{ch.CipherSuites, ch.SupportedGroups, ch.SignatureAlgorithms, ch.SupportedVersions} {
		p.lists = append(p.lists, list...)
		p.lens[i+1] = uint16(len(list))
	}
	for _, f := range ch.ECPointFormats {
		p.lists = append(p.lists, uint16(f))
	}
	p.lens[5] = uint16(len(ch.ECPointFormats))
	return p
}

// hello rebuilds a ClientHello with everything the fingerprint reads.
func (p *helloPrint) hello() *handshake.ClientHello {
	rest := p.lists
	next := func(i int) []uint16 {
		list := rest[:p.lens[i]:p.lens[i]]
		rest = rest[p.lens[i]:]
		return list
	}
	ch := &handshake.ClientHello{Version: p.version}
	for _, typ := range next(0) {
		e := handshake.Extension{Type: typ}
		if typ == handshake.ExtServerName {
			e.Data = []byte{} // its presence is what counts
		}
		ch.Extensions = append(ch.Extensions, e)
	}
	ch.CipherSuites, ch.SupportedGroups, ch.SignatureAlgorithms, ch.SupportedVersions = next(1), next(2), next(3), next(4)
	for _, f := range next(5) {
		ch.ECPointFormats = append(ch.ECPointFormats, uint8(f))
	}
	if p.alpn != "" {
		ch.ALPN = []string{p.alpn}
	}
	return ch
}
