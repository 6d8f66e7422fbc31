package interop

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// openssl s_client -status against our server stapling an OCSP response
// (made by the interop CA with x/crypto/ocsp) shows the response, at TLS
// 1.3 and 1.2.
func TestOpenSSLStatusShowsStaple(t *testing.T) {
	need(t, "openssl")
	cert, err := tls.LoadX509KeyPair(certFile("server.pem"), certFile("server-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	caPair, err := tls.LoadX509KeyPair(certFile("ca.pem"), certFile("ca-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	ca, _ := x509.ParseCertificate(caPair.Certificate[0])
	now := time.Now()
	cert.OCSPStaple, err = ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: leaf.SerialNumber,
		ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour)}, caPair.PrivateKey.(crypto.Signer))
	if err != nil {
		t.Fatal(err)
	}
	srv := &adapters.TLSServer{Config: &engine.Config{Certificates: []tls.Certificate{cert}}, OnSecureConnection: func(c *adapters.Conn) {
		io.WriteString(c, "welcome!\n")
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	for _, version := range []string{"-tls1_3", "-tls1_2"} {
		cmd := exec.Command("openssl", "s_client", "-connect", ln.Addr().String(), "-servername", "localhost", version,
			"-status", "-CAfile", certFile("ca.pem"))
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "OCSP Response Status: successful") || !strings.Contains(string(out), "Cert Status: good") {
			t.Fatalf("%s: %v\n%s", version, err, out)
		}
	}
}
