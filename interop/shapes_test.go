package interop

import (
	"bufio"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

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
			// -rev answers each line reversed: an echo that proves both directions.
			args := []string{"s_server", "-accept", "127.0.0.1:" + port, "-cert", certFile("server.pem"), "-key", certFile("server-key.pem"), "-rev"}
			if mode == "-tls1_2" {
				args = append(args, mode)
			}
			start(t, "openssl", args...)
			waitListening(t, "127.0.0.1:"+port)
			lacking, utlsFails := 0, 0
			for _, name := range names {
				seeds := 1
				if isRandomized(ids[name]) {
					seeds = 50
				}
				for seed := range seeds {
					id := ids[name]
					if isRandomized(id) {
						id.Seed = &utls.PRNGSeed{byte(seed), 3} // the same shapes on every run
					}
					switch err := shapeAgainstOpenSSL(t, port, roots, name, seed, mode, &id); {
					case lacksSuite(err):
						lacking++ // the server chose an offered suite the engine does not implement
					case err != nil:
						utlsFails++
						t.Logf("%s (seed %d) fails as uTLS's own client does: %v", name, seed, err)
					}
				}
			}
			if lacking > 0 {
				t.Logf("%d shapes failed only because s_server chose a suite the engine lacks", lacking)
			}
			if utlsFails > 0 {
				t.Logf("%d shapes failed as uTLS's own client fails with them", utlsFails)
			}
		})
	}
}

func isRandomized(id utls.ClientHelloID) bool {
	return id.Client == utls.HelloRandomized.Client || id.Client == utls.HelloRandomizedALPN.Client ||
		id.Client == utls.HelloRandomizedNoALPN.Client
}

// shapeAgainstOpenSSL connects with one shape and checks the state and
// the echo. A failure is returned, not reported, when the engine lacks the
// suite s_server chose, or when uTLS's own client fails with the same shape
// against the same server (some randomized shapes carry an X25519MLKEM768
// key share without listing the group, which OpenSSL refuses as RFC 8446
// section 4.2.8 allows); any other failure is reported.
func shapeAgainstOpenSSL(t *testing.T, port string, roots *x509.CertPool, name string, seed int, mode string, id *utls.ClientHelloID) error {
	conn, err := adapters.Dial("tcp", "127.0.0.1:"+port, &engine.Config{ServerName: "localhost", RootCAs: roots, ClientHelloID: id})
	if err != nil {
		if lacksSuite(err) || utlsFailsToo(port, id) {
			return err
		}
		t.Errorf("%s (seed %d): %v", name, seed, err)
		return nil
	}
	defer conn.Close()
	if st := conn.EngineState(); st.CipherSuite == 0 || st.Group == 0 || (mode == "-tls1_2" && st.Version != engine.VersionTLS12) {
		t.Errorf("%s (seed %d): state %+v", name, seed, st)
	}
	if err := reversedEcho(conn, name); err != nil {
		t.Errorf("%s (seed %d): %v", name, seed, err)
	}
	return nil
}

// utlsFailsToo reports whether uTLS's own client fails to connect with the
// shape.
func utlsFailsToo(port string, id *utls.ClientHelloID) bool {
	nc, err := net.DialTimeout("tcp", "127.0.0.1:"+port, 10*time.Second)
	if err != nil {
		return false
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	uc := utls.UClient(nc, &utls.Config{ServerName: "localhost", InsecureSkipVerify: true, OmitEmptyPsk: true}, *id)
	return uc.Handshake() != nil
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

// reversedEcho sends a line to s_server -rev and checks it comes back
// reversed.
func reversedEcho(conn *adapters.Conn, line string) error {
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte(line + "\n")); err != nil {
		return err
	}
	got, err := bufio.NewReader(conn).ReadString('\n')
	want := []rune(line)
	slices.Reverse(want)
	if err != nil || strings.TrimRight(got, "\r\n") != string(want) {
		return fmt.Errorf("echo %q (%v), want %q", got, err, string(want))
	}
	return nil
}
