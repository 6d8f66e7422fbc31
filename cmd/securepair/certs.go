package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/securepair/securepair/securepairtest/certgen"
)

// runCerts writes a CA, a server and a client certificate with their keys as
// PEM: what the seed's openssl commands make, in one step.
func runCerts(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("certs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "`directory` to write the files into (required)")
	hosts := fs.String("hosts", "localhost,127.0.0.1", "comma-separated names and addresses for the server certificate")
	days := fs.Int("days", 365, "validity in days")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("-out DIR is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	from, until := time.Now().Add(-time.Hour), time.Now().AddDate(0, 0, *days)
	ca, err := certgen.NewCAValid("securepair CA", from, until)
	if err != nil {
		return err
	}
	server, err := ca.Leaf(certgen.ECDSAP256, strings.Split(*hosts, ","), certgen.LeafOptions{NotBefore: from, NotAfter: until})
	if err != nil {
		return err
	}
	client, err := ca.Leaf(certgen.ECDSAP256, []string{"securepair client"}, certgen.LeafOptions{NotBefore: from, NotAfter: until, Client: true})
	if err != nil {
		return err
	}
	files := []struct {
		name string
		cert tls.Certificate
	}{
		{"ca", tls.Certificate{Certificate: [][]byte{ca.Cert.Raw}, PrivateKey: ca.Key}},
		{"server", server},
		{"client", client},
	}
	for _, f := range files {
		keyPEM, err := certgen.KeyPEM(f.cert.PrivateKey)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, f.name+".pem"), certgen.CertPEM(f.cert.Certificate[:1]), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, f.name+"-key.pem"), keyPEM, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(*out, f.name+".pem"))
	}
	return nil
}
