package securepairtest

import (
	"crypto/tls"

	"github.com/securepair/securepair/securepairtest/certgen"
)

// Certs are the test certificates of one seed: a CA, a server and a client
// chain from it, and the variants a test of refusals needs. They are made
// in memory; under NewPair they are the same for the same seed.
type Certs struct {
	CA     *certgen.CA
	Server tls.Certificate // for Host, from CA
	Client tls.Certificate // client auth usage, from CA
	// Expired is for Host from CA, expired at certgen.Epoch.
	Expired tls.Certificate
	// WrongName is from CA for another name.
	WrongName tls.Certificate
	// SelfSigned is for Host, signed by its own key.
	SelfSigned tls.Certificate
}

// NewCerts makes the certificates, their keys of type kt (the CA's is
// ECDSA P-256).
func NewCerts(kt certgen.KeyType) (*Certs, error) {
	ca, err := certgen.NewCA("securepairtest CA")
	if err != nil {
		return nil, err
	}
	other, err := certgen.NewCA(Host) // its own issuer: a self-signed certificate for Host
	if err != nil {
		return nil, err
	}
	c := &Certs{CA: ca}
	leaves := []struct {
		dst   *tls.Certificate
		ca    *certgen.CA
		names []string
		opts  certgen.LeafOptions
	}{
		{&c.Server, ca, []string{Host}, certgen.LeafOptions{}},
		{&c.Client, ca, []string{"client." + Host}, certgen.LeafOptions{Client: true}},
		{&c.Expired, ca, []string{Host}, certgen.LeafOptions{NotBefore: certgen.Epoch.AddDate(-2, 0, 0), NotAfter: certgen.Epoch.AddDate(-1, 0, 0)}},
		{&c.WrongName, ca, []string{"elsewhere.test"}, certgen.LeafOptions{}},
	}
	for _, l := range leaves {
		if *l.dst, err = l.ca.Leaf(kt, l.names, l.opts); err != nil {
			return nil, err
		}
	}
	c.SelfSigned = tls.Certificate{Certificate: [][]byte{other.Cert.Raw}, PrivateKey: other.Key, Leaf: other.Cert}
	return c, nil
}
