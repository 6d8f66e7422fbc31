package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	utls "github.com/refraction-networking/utls"
	"github.com/securepair/securepair/engine"
)

// tlsFlags are the options server and client share.
type tlsFlags struct {
	cert, key, passphrase, ca string
	alpn, npn                 string
	minVersion, maxVersion    string
	keylog                    string
	sigalgs                   string
}

func (f *tlsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.cert, "cert", "", "PEM certificate chain `file`")
	fs.StringVar(&f.key, "key", "", "PEM private key `file`")
	fs.StringVar(&f.passphrase, "passphrase", "", "passphrase of an encrypted -key")
	fs.StringVar(&f.ca, "ca", "", "PEM `file` of trusted CA certificates")
	fs.StringVar(&f.alpn, "alpn", "", "comma-separated ALPN protocols, in order of preference")
	fs.StringVar(&f.npn, "npn", "", "comma-separated NPN protocols (TLS 1.2 only)")
	fs.StringVar(&f.minVersion, "min-version", "", "lowest TLS version: 1.2 or 1.3")
	fs.StringVar(&f.maxVersion, "max-version", "", "highest TLS version: 1.2 or 1.3")
	fs.StringVar(&f.sigalgs, "sigalgs", "", "comma-separated signature schemes to sign with and accept, in order (IANA names: ecdsa_secp256r1_sha256, ed25519, rsa_pss_rsae_sha256, ...)")
	fs.StringVar(&f.keylog, "keylog", "", "append NSS key log lines (SSLKEYLOGFILE format) to `file`")
}

// apply fills the parts of cfg the shared flags decide.
func (f *tlsFlags) apply(cfg *engine.Config) error {
	if f.npn != "" {
		cfg.NPNProtocols = strings.Split(f.npn, ",")
	}
	var err error
	if cfg.MinVersion, err = parseVersion("-min-version", f.minVersion); err != nil {
		return err
	}
	if cfg.MaxVersion, err = parseVersion("-max-version", f.maxVersion); err != nil {
		return err
	}
	if f.alpn != "" {
		cfg.NextProtos = strings.Split(f.alpn, ",")
	}
	if f.sigalgs != "" {
		for _, name := range strings.Split(f.sigalgs, ",") {
			id, ok := engine.SignatureSchemeByName(strings.TrimSpace(name))
			if !ok {
				return fmt.Errorf("-sigalgs: unknown signature scheme %q", name)
			}
			cfg.SignatureSchemes = append(cfg.SignatureSchemes, id)
		}
	}
	if f.cert != "" || f.key != "" {
		cert, err := loadKeyPair(f.cert, f.key, f.passphrase)
		if err != nil {
			return err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if f.keylog != "" {
		w, err := os.OpenFile(f.keylog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		cfg.KeyLogWriter = w
	}
	return nil
}

func (f *tlsFlags) caPool() (*x509.CertPool, error) {
	if f.ca == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(f.ca)
	if err != nil {
		return nil, err
	}
	return engine.CertPoolFromPEM(pem)
}

func loadKeyPair(certFile, keyFile, passphrase string) (tls.Certificate, error) {
	if certFile == "" || keyFile == "" {
		return tls.Certificate{}, errors.New("-cert and -key go together")
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	return engine.LoadKeyPair(certPEM, keyPEM, passphrase)
}

func parseVersion(flagName, v string) (uint16, error) {
	switch v {
	case "":
		return 0, nil
	case "1.3":
		return engine.VersionTLS13, nil
	case "1.2":
		return engine.VersionTLS12, nil
	}
	return 0, fmt.Errorf("%s: %q is not a TLS version; use 1.2 or 1.3", flagName, v)
}

// shortHellos are the -hello shorthands; any name of
// engine.ClientHelloIDs (HelloChrome_133, ...) works too.
var shortHellos = map[string]string{
	"chrome": "HelloChrome_Auto", "firefox": "HelloFirefox_Auto", "safari": "HelloSafari_Auto",
	"ios": "HelloIOS_Auto", "edge": "HelloEdge_Auto", "randomized": "HelloRandomizedNoALPN", "go": "HelloGolang",
}

// helloID resolves a -hello name: "default" (our own hello, nil), a
// shorthand, or a uTLS ClientHelloID name.
func helloID(name string) (*utls.ClientHelloID, error) {
	if name == "default" {
		return nil, nil
	}
	if long, ok := shortHellos[name]; ok {
		name = long
	}
	id, ok := engine.ClientHelloIDs()[name]
	if !ok {
		return nil, fmt.Errorf("-hello: unknown shape %q (-hello list prints them)", name)
	}
	return &id, nil
}

// helloNames lists every -hello name, sorted.
func helloNames() []string {
	names := []string{"default"}
	for short := range shortHellos {
		names = append(names, short)
	}
	for name := range engine.ClientHelloIDs() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func versionName(v uint16) string {
	switch v {
	case engine.VersionTLS13:
		return "TLS 1.3"
	case engine.VersionTLS12:
		return "TLS 1.2"
	}
	return fmt.Sprintf("%#04x", v)
}

// authorizedLine is the seed's "connected authorized" / "unauthorized:
// REASON", REASON being Node's code for it, then the details.
func authorizedLine(role string, st engine.ConnectionState) string {
	if st.Authorized {
		return role + " connected authorized"
	}
	var ce *engine.CertificateError
	switch {
	case errors.As(st.AuthorizationError, &ce):
		return role + " connected unauthorized: " + ce.Code + " (" + st.AuthorizationError.Error() + ")"
	case st.AuthorizationError != nil:
		return role + " connected unauthorized: " + st.AuthorizationError.Error()
	}
	return role + " connected unauthorized: no certificate"
}
