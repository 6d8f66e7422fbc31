package gnettls

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/securepair/securepair/securepairtest/certgen"
)

// newCredentials makes a CA and a certificate it issues for names (a
// server certificate, or a client one when opts.Client is set).
func newCredentials(t testing.TB, kt certgen.KeyType, opts certgen.LeafOptions, names ...string) (*certgen.CA, tls.Certificate) {
	t.Helper()
	ca, err := certgen.NewCA("gnettls test CA")
	if err != nil {
		t.Fatal(err)
	}
	return ca, issue(t, ca, kt, opts, names...)
}

// issue has ca issue a certificate for names.
func issue(t testing.TB, ca *certgen.CA, kt certgen.KeyType, opts certgen.LeafOptions, names ...string) tls.Certificate {
	t.Helper()
	leaf, err := ca.Leaf(kt, names, opts)
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

// writePEM writes data to dir/name and returns the path.
func writePEM(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeKeyPair writes a certificate and its key as PEM files named
// base.pem and base-key.pem in dir.
func writeKeyPair(t testing.TB, dir, base string, cert tls.Certificate) (certFile, keyFile string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile = writePEM(t, dir, base+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}))
	keyFile = writePEM(t, dir, base+"-key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return certFile, keyFile
}

// pemOf is the CA certificate as PEM.
func pemOf(ca *certgen.CA) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// need fails the test when a peer program is missing: test.sh installs
// them all.
func need(t *testing.T, program string) {
	t.Helper()
	if _, err := exec.LookPath(program); err != nil {
		t.Fatalf("%s is not installed (test.sh installs it): %v", program, err)
	}
}
