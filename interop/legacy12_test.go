package interop

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
)

// recordingConn keeps the first bytes the server sends, for the ServerHello.
type recordingConn struct {
	net.Conn
	got bytes.Buffer
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if c.got.Len() < 1<<16 {
		c.got.Write(b[:n])
	}
	return n, err
}

// serverHelloExtensions decodes the ServerHello at the start of what the
// server sent.
func serverHelloExtensions(t *testing.T, raw []byte) []uint16 {
	t.Helper()
	if len(raw) < 9 || raw[0] != 22 {
		t.Fatalf("server's first bytes %x", raw[:min(len(raw), 9)])
	}
	n := int(raw[6])<<16 | int(raw[7])<<8 | int(raw[8])
	var sh handshake.ServerHello
	if err := handshake.Unmarshal(raw[5:9+n], &sh); err != nil {
		t.Fatal(err)
	}
	var types []uint16
	for _, e := range sh.Extensions {
		types = append(types, e.Type)
	}
	return types
}

// Our client on every legacy suite (AES-CBC, RSA key exchange) against
// openssl s_server, offering encrypt_then_mac or not: OpenSSL takes RFC 7366
// when offered with a CBC suite, so both record layouts carry a line each
// way. The ServerHello shows which one was negotiated (never with GCM, RFC
// 7366 section 3).
func TestLegacyClientAgainstOpenSSL(t *testing.T) {
	need(t, "openssl")
	rsaCert, rsaKey := rsaCertificate(t)
	roots, err := engine.CertPoolFromPEM(mustRead(t, certFile("ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	suites := map[string]uint16{
		"ECDHE-ECDSA-AES128-SHA":    handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
		"ECDHE-ECDSA-AES256-SHA":    handshake.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		"ECDHE-RSA-AES128-SHA":      handshake.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		"ECDHE-RSA-AES256-SHA":      handshake.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		"ECDHE-ECDSA-AES128-SHA256": handshake.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
		"ECDHE-ECDSA-AES256-SHA384": handshake.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
		"ECDHE-RSA-AES128-SHA256":   handshake.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
		"ECDHE-RSA-AES256-SHA384":   handshake.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
		"AES128-SHA":                handshake.TLS_RSA_WITH_AES_128_CBC_SHA,
		"AES256-SHA":                handshake.TLS_RSA_WITH_AES_256_CBC_SHA,
		"AES128-SHA256":             handshake.TLS_RSA_WITH_AES_128_CBC_SHA256,
		"AES256-SHA256":             handshake.TLS_RSA_WITH_AES_256_CBC_SHA256,
		"AES128-GCM-SHA256":         handshake.TLS_RSA_WITH_AES_128_GCM_SHA256,
		"AES256-GCM-SHA384":         handshake.TLS_RSA_WITH_AES_256_GCM_SHA384,
	}
	for name, suite := range suites {
		for _, etm := range []bool{false, true} {
			t.Run(name+map[bool]string{false: "", true: "/encrypt_then_mac"}[etm], func(t *testing.T) {
				cert, key := certFile("server.pem"), certFile("server-key.pem")
				if !strings.Contains(name, "ECDSA") {
					cert, key = rsaCert, rsaKey
				}
				port := freePort(t)
				srv := start(t, "openssl", "s_server", "-accept", "127.0.0.1:"+port, "-tls1_2", "-cipher", name,
					"-cert", cert, "-key", key, "-quiet")
				waitListening(t, "127.0.0.1:"+port)
				nc, err := net.Dial("tcp", "127.0.0.1:"+port)
				if err != nil {
					t.Fatal(err)
				}
				rc := &recordingConn{Conn: nc}
				e, err := engine.NewClient(&engine.Config{ServerName: "localhost", RootCAs: roots, ClientHelloSpec: enginetest.LegacyHello12(suite, etm)})
				if err != nil {
					t.Fatal(err)
				}
				conn := adapters.NewConn(rc, e)
				defer conn.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				if err := conn.Handshake(ctx); err != nil {
					t.Fatal(err)
				}
				cbc := !strings.Contains(name, "GCM")
				if got := slices.Contains(serverHelloExtensions(t, rc.got.Bytes()), 22); got != (etm && cbc) {
					t.Fatalf("encrypt_then_mac in the ServerHello: %v, offered: %v, CBC: %v", got, etm, cbc)
				}
				if _, err := conn.Write([]byte("from our client over a legacy suite\n")); err != nil {
					t.Fatal(err)
				}
				srv.waitFor(t, "from our client over a legacy suite")
				if _, err := srv.stdin.Write([]byte("from openssl over a legacy suite\n")); err != nil {
					t.Fatal(err)
				}
				line, err := bufio.NewReader(conn).ReadString('\n')
				if err != nil || line != "from openssl over a legacy suite\n" {
					t.Fatalf("read %q, %v", line, err)
				}
				if st := conn.EngineState(); st.CipherSuite != suite || st.Version != engine.VersionTLS12 {
					t.Fatalf("state %+v", st)
				}
			})
		}
	}
}
