package certgen

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"testing"
)

// Every key type makes a leaf that verifies against its CA for its names
// and usage, at Epoch, and round-trips through PEM.
func TestLeaves(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range KeyTypes {
		for _, client := range []bool{false, true} {
			leaf, err := ca.Leaf(kt, []string{"host.test", "127.0.0.1"}, LeafOptions{Client: client})
			if err != nil {
				t.Fatal(kt, err)
			}
			cert, err := x509.ParseCertificate(leaf.Certificate[0])
			if err != nil {
				t.Fatal(err)
			}
			usage := x509.ExtKeyUsageServerAuth
			if client {
				usage = x509.ExtKeyUsageClientAuth
			}
			opts := x509.VerifyOptions{Roots: ca.Pool, CurrentTime: Epoch, KeyUsages: []x509.ExtKeyUsage{usage}, DNSName: "host.test"}
			if _, err := cert.Verify(opts); err != nil {
				t.Fatalf("%s client=%v: %v", kt, client, err)
			}
			if !cert.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) {
				t.Fatalf("%s: IP address SAN %v", kt, cert.IPAddresses)
			}
			keyPEM, err := KeyPEM(leaf.PrivateKey)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tls.X509KeyPair(CertPEM(leaf.Certificate), keyPEM); err != nil {
				t.Fatalf("%s: PEM pair does not load: %v", kt, err)
			}
		}
	}
}

// A leaf outside its validity window does not verify; serials differ.
func TestValidityAndSerials(t *testing.T) {
	ca, _ := NewCA("test CA")
	old, err := ca.Leaf(ECDSAP256, []string{"old.test"}, LeafOptions{NotBefore: Epoch.AddDate(-2, 0, 0), NotAfter: Epoch.AddDate(-1, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(old.Certificate[0])
	if _, err := cert.Verify(x509.VerifyOptions{Roots: ca.Pool, CurrentTime: Epoch}); err == nil {
		t.Fatal("an expired leaf verified")
	}
	other, _ := ca.Leaf(ECDSAP256, []string{"other.test"}, LeafOptions{})
	cert2, _ := x509.ParseCertificate(other.Certificate[0])
	if cert.SerialNumber.Cmp(cert2.SerialNumber) == 0 {
		t.Fatal("two leaves share a serial number")
	}
	if b, _ := pem.Decode(CertPEM(other.Certificate)); b == nil || b.Type != "CERTIFICATE" {
		t.Fatal("CertPEM")
	}
}
