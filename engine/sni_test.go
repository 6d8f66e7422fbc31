package engine_test

import (
	"crypto/tls"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// SNI: two certificates behind one server chosen by name, a wildcard entry,
// and an unknown name falling back to the default certificate.
func TestSNICertificates(t *testing.T) {
	ca, l := fixtures(t)
	leaf := func(name string) *tls.Certificate {
		c, err := ca.Leaf(certgen.ECDSAP256, []string{name}, certgen.LeafOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return &c
	}
	byName := engine.CertificatesByName{
		"a.test":         leaf("a.test"),
		"b.test":         leaf("b.test"),
		"*.wild.example": leaf("*.wild.example"),
	}
	tests := []struct{ name, wantCN string }{
		{"a.test", "a.test"},
		{"b.test", "b.test"},
		{"x.wild.example", "*.wild.example"},
		{testHost, testHost}, // unknown to the map: the default certificate
	}
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, tt := range tests {
			s := serverConfig(t, certgen.ECDSAP256)
			s.Certificates = []tls.Certificate{l[certgen.ECDSAP256]}
			s.GetCertificate = byName.GetCertificate
			c := clientConfig(t)
			c.ServerName, c.MaxVersion = tt.name, version
			p := handshakePair(t, c, s)
			cs, ss := p.Client.ConnectionState(), p.Server.ConnectionState()
			if got := cs.PeerCertificates[0].Subject.CommonName; got != tt.wantCN || !cs.Authorized {
				t.Fatalf("version %#x, name %s: got certificate %q (authorized %v)", version, tt.name, got, cs.Authorized)
			}
			if ss.ServerName != tt.name || cs.ServerName != tt.name {
				t.Fatalf("servername reported %q / %q", ss.ServerName, cs.ServerName)
			}
		}
	}
}
