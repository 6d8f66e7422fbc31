package interop

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// p521Certs writes a CA and a P-521 server certificate for localhost.
func p521Certs(t *testing.T) (dir string, cert tls.Certificate) {
	t.Helper()
	dir = t.TempDir()
	ca, err := certgen.NewCA("P-521 CA")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	cert, err = ca.Leaf(certgen.ECDSAP521, []string{"localhost"}, certgen.LeafOptions{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	keyPEM, err := certgen.KeyPEM(cert.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ca.pem"), certgen.CertPEM([][]byte{ca.Cert.Raw}), 0o644)
	os.WriteFile(filepath.Join(dir, "server.pem"), certgen.CertPEM(cert.Certificate), 0o644)
	os.WriteFile(filepath.Join(dir, "server-key.pem"), keyPEM, 0o600)
	return dir, cert
}

// P-521 as the key exchange group and ECDSA P-521 certificates (signed with
// ecdsa_secp521r1_sha512), both roles, TLS 1.3 and 1.2, with OpenSSL.
func TestOpenSSLP521(t *testing.T) {
	need(t, "openssl")
	dir, cert := p521Certs(t)
	roots, err := engine.CertPoolFromPEM(mustRead(t, filepath.Join(dir, "ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		flag    string
		version uint16
	}{{"-tls1_3", engine.VersionTLS13}, {"-tls1_2", engine.VersionTLS12}} {
		t.Run("our client, s_server "+v.flag, func(t *testing.T) {
			port := freePort(t)
			start(t, "openssl", "s_server", "-accept", "127.0.0.1:"+port, v.flag, "-groups", "P-521",
				"-cert", filepath.Join(dir, "server.pem"), "-key", filepath.Join(dir, "server-key.pem"))
			waitListening(t, "127.0.0.1:"+port)
			conn, err := adapters.Dial("tcp", "127.0.0.1:"+port, &engine.Config{ServerName: "localhost", RootCAs: roots})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			st := conn.EngineState()
			if st.Version != v.version || st.Group != tls.CurveP521 || !st.Authorized {
				t.Fatalf("state %+v", st)
			}
		})
		t.Run("s_client "+v.flag+", our server", func(t *testing.T) {
			ln, err := adapters.Listen("tcp", "127.0.0.1:0", &engine.Config{Certificates: []tls.Certificate{cert}})
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			states := make(chan engine.ConnectionState, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				conn := c.(*adapters.Conn)
				if conn.Handshake(t.Context()) == nil {
					conn.Write([]byte("p521\n"))
				}
				states <- conn.EngineState()
				conn.Close()
			}()
			c := start(t, "openssl", "s_client", "-connect", ln.Addr().String(), v.flag, "-groups", "P-521",
				"-servername", "localhost", "-CAfile", filepath.Join(dir, "ca.pem"), "-verify_return_error", "-ign_eof")
			c.waitFor(t, "Verify return code: 0 (ok)", "p521")
			st := <-states
			if st.Version != v.version || st.Group != tls.CurveP521 {
				t.Fatalf("server state %+v", st)
			}
			if out := c.Output(); !strings.Contains(out, "521") {
				t.Fatalf("s_client does not report P-521:\n%s", out)
			}
		})
	}
}
