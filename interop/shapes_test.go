package interop

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// Every uTLS shape as our client against openssl s_server, at TLS 1.3 (and
// 1.2 where the shape has no 1.3) and with s_server -tls1_2, the shapes
// that offer only AES-CBC for TLS 1.2 included.
func TestShapesAgainstOpenSSL(t *testing.T) {
	need(t, "openssl")
	roots, err := engine.CertPoolFromPEM(mustRead(t, certFile("ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	ids := engine.ClientHelloIDs()
	var names []string
	for n := range ids {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, mode := range []string{"-tls1_3", "-tls1_2"} {
		t.Run("s_server "+mode, func(t *testing.T) {
			port := freePort(t)
			args := []string{"s_server", "-accept", "127.0.0.1:" + port, "-cert", certFile("server.pem"), "-key", certFile("server-key.pem")}
			if mode == "-tls1_2" {
				args = append(args, mode)
			}
			start(t, "openssl", args...)
			waitListening(t, "127.0.0.1:"+port)
			lacking := 0
			for _, name := range names {
				id := ids[name]
				if id.Client == utls.HelloRandomized.Client || id.Client == utls.HelloRandomizedALPN.Client ||
					id.Client == utls.HelloRandomizedNoALPN.Client {
					id.Seed = &utls.PRNGSeed{3} // the same shape on every run
				}
				conn, err := adapters.Dial("tcp", "127.0.0.1:"+port, &engine.Config{ServerName: "localhost", RootCAs: roots, ClientHelloID: &id})
				switch {
				case err != nil && lacksSuite(err):
					lacking++ // the server chose an offered suite the engine does not implement
				case err != nil:
					t.Errorf("%s: %v", name, err)
				case err == nil:
					if st := conn.ConnectionState(); st.CipherSuite == 0 || (mode == "-tls1_2" && st.Version != engine.VersionTLS12) {
						t.Errorf("%s: state %+v", name, st)
					}
				}
				if conn != nil {
					conn.Close()
				}
			}
			if lacking > 0 {
				t.Logf("%d shapes failed only because s_server chose a suite the engine lacks", lacking)
			}
		})
	}
}

// lacksSuite reports a failure only because the server chose a suite the
// shape offered and the engine does not implement: RC4 (RFC 7465 forbids
// it), the pre-standard ChaCha20 code points, DHE (uTLS lists those as FAKE
// and cannot complete them itself).
func lacksSuite(err error) bool {
	var ae *engine.AlertError
	var suite uint16
	if !errors.As(err, &ae) || ae.Alert != engine.AlertIllegalParameter {
		return false
	}
	_, serr := fmt.Sscanf(ae.Reason, "server chose cipher suite %v", &suite)
	return serr == nil && engine.SuiteName(suite) == "unknown"
}
