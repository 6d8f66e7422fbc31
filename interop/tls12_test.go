package interop

import (
	"io"
	"os/exec"
	"strings"
	"testing"
)

// OpenSSL's names for the TLS 1.2 suites, and the key each needs.
var opensslSuites12 = []struct {
	name string
	rsa  bool
}{
	{"ECDHE-ECDSA-AES128-GCM-SHA256", false},
	{"ECDHE-ECDSA-AES256-GCM-SHA384", false},
	{"ECDHE-ECDSA-CHACHA20-POLY1305", false},
	{"ECDHE-RSA-AES128-GCM-SHA256", true},
	{"ECDHE-RSA-AES256-GCM-SHA384", true},
	{"ECDHE-RSA-CHACHA20-POLY1305", true},
}

// rsaCertificate makes an RSA server certificate with openssl, signed by
// the test CA, for the ECDHE_RSA suites.
func rsaCertificate(t *testing.T) (cert, key string) {
	t.Helper()
	dir := t.TempDir()
	cert, key = dir+"/rsa.pem", dir+"/rsa-key.pem"
	csr := dir + "/rsa.csr"
	ext := writeScript(t, "ext.cnf", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
	steps := [][]string{
		{"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-subj", "/CN=localhost", "-out", csr},
		{"openssl", "x509", "-req", "-in", csr, "-CA", certFile("ca.pem"), "-CAkey", certFile("ca-key.pem"),
			"-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert},
	}
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", s, err, out)
		}
	}
	return cert, key
}

// openssl s_client -tls1_2 against `securepair server`, for each suite.
func TestOpenSSLClientTLS12(t *testing.T) {
	need(t, "openssl")
	rsaCert, rsaKey := rsaCertificate(t)
	for _, s := range opensslSuites12 {
		t.Run(s.name, func(t *testing.T) {
			var args []string
			if s.rsa {
				args = []string{"-cert", rsaCert, "-key", rsaKey}
			}
			_, addr := startServer(t, args...)
			c := start(t, "openssl", "s_client", "-connect", addr, "-servername", "localhost", "-tls1_2",
				"-cipher", s.name, "-CAfile", certFile("ca.pem"), "-verify_return_error", "-ign_eof")
			c.waitFor(t, "Verify return code: 0 (ok)", "Cipher is "+s.name, "Extended master secret: yes", "welcome!")
			io.WriteString(c.stdin, "tls12 ping\n")
			c.waitFor(t, "welcome!\ntls12 ping\n")
		})
	}
}

// `securepair client -max-version 1.2` against openssl s_server -tls1_2,
// for each suite.
func TestOurClientWithOpenSSLServerTLS12(t *testing.T) {
	need(t, "openssl")
	rsaCert, rsaKey := rsaCertificate(t)
	for _, s := range opensslSuites12 {
		t.Run(s.name, func(t *testing.T) {
			cert, key := certFile("server.pem"), certFile("server-key.pem")
			if s.rsa {
				cert, key = rsaCert, rsaKey
			}
			port := freePort(t)
			srv := start(t, "openssl", "s_server", "-accept", "127.0.0.1:"+port, "-tls1_2", "-cipher", s.name,
				"-cert", cert, "-key", key, "-quiet")
			waitListening(t, "127.0.0.1:"+port)
			client := exec.Command(spBinary, "client", "-connect", "127.0.0.1:"+port, "-servername", "localhost",
				"-ca", certFile("ca.pem"), "-max-version", "1.2")
			client.Stdin = strings.NewReader("from our client\n")
			out, err := client.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, want := range []string{"client connected authorized", "version: TLS 1.2", "cipher: TLS_ECDHE_"} {
				if !strings.Contains(string(out), want) {
					t.Fatalf("client output lacks %q:\n%s", want, out)
				}
			}
			srv.waitFor(t, "from our client")
		})
	}
}

// NPN both ways with OpenSSL's -nextprotoneg; the protocol is checked on
// both sides.
func TestOpenSSLNPN(t *testing.T) {
	need(t, "openssl")
	t.Run("openssl client, our server", func(t *testing.T) {
		_, addr := startServer(t, "-npn", "spdy/2,http/1.1")
		c := start(t, "openssl", "s_client", "-connect", addr, "-servername", "localhost", "-tls1_2",
			"-nextprotoneg", "http/1.1", "-CAfile", certFile("ca.pem"), "-ign_eof")
		c.waitFor(t, "Next protocol: (1) http/1.1", "welcome!")
	})
	t.Run("our client, openssl server", func(t *testing.T) {
		port := freePort(t)
		srv := start(t, "openssl", "s_server", "-accept", "127.0.0.1:"+port, "-tls1_2", "-nextprotoneg", "spdy/2,http/1.1",
			"-cert", certFile("server.pem"), "-key", certFile("server-key.pem"))
		waitListening(t, "127.0.0.1:"+port)
		out, err := ourClient(t, "", "-connect", "127.0.0.1:"+port, "-servername", "localhost",
			"-ca", certFile("ca.pem"), "-npn", "http/1.1", "-reconnect")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		// Both the full and the resumed (abbreviated) handshake negotiate NPN.
		if strings.Count(out, "npn: http/1.1") != 2 || strings.Count(out, "version: TLS 1.2") != 2 || !strings.Contains(out, "resumed: yes") {
			t.Fatalf("client output:\n%s", out)
		}
		srv.waitFor(t, "NEXTPROTO is http/1.1")
	})
}

// Node.js 20 at TLS 1.2, as client of our server and as server to our client.
func TestNodeTLS12(t *testing.T) {
	need(t, "node")
	t.Run("node client", func(t *testing.T) {
		_, addr := startServer(t)
		script := writeScript(t, "c.js", `
const tls = require('tls'), fs = require('fs');
const s = tls.connect({port: Number(process.argv[2]), host: '127.0.0.1', servername: 'localhost',
  ca: [fs.readFileSync(process.argv[3])], maxVersion: 'TLSv1.2'}, () => {
  console.log('client connected', s.authorized ? 'authorized' : 'unauthorized', s.getProtocol(), s.getCipher().name);
  s.end();
});
s.on('data', d => process.stdout.write(d));
`)
		out, err := exec.Command("node", script, port(addr), certFile("ca.pem")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "client connected authorized TLSv1.2") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("node server", func(t *testing.T) {
		script := writeScript(t, "s.js", `
const tls = require('tls'), fs = require('fs');
const server = tls.createServer({key: fs.readFileSync(process.argv[2]), cert: fs.readFileSync(process.argv[3]),
  maxVersion: 'TLSv1.2'}, s => { s.write('welcome!\n'); s.pipe(s); });
server.listen(0, '127.0.0.1', () => console.log('server bound ' + server.address().port));
`)
		node := start(t, "node", script, certFile("server-key.pem"), certFile("server.pem"))
		node.waitFor(t, "server bound ")
		p := strings.TrimSpace(strings.TrimPrefix(node.Output(), "server bound "))
		client := exec.Command(spBinary, "client", "-connect", "127.0.0.1:"+p, "-servername", "localhost", "-ca", certFile("ca.pem"))
		client.Stdin = strings.NewReader("hi node\n")
		out, err := client.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "version: TLS 1.2") || !strings.Contains(string(out), "welcome!\nhi node") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
}

// TLS 1.2 resumption with OpenSSL: s_client -reconnect (session IDs) and
// -sess_out/-sess_in (tickets) against our server; our client resuming
// against s_server.
func TestOpenSSLResumption12(t *testing.T) {
	need(t, "openssl")
	t.Run("s_client -reconnect", func(t *testing.T) {
		_, addr := startServer(t)
		out, err := exec.Command("openssl", "s_client", "-connect", addr, "-servername", "localhost", "-tls1_2",
			"-no_ticket", "-reconnect", "-CAfile", certFile("ca.pem")).CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if n := strings.Count(string(out), "Reused, TLSv1.2"); n < 5 {
			t.Fatalf("%d reused connections of 5:\n%s", n, out)
		}
	})
	t.Run("s_client -sess_out/-sess_in with a ticket", func(t *testing.T) {
		_, addr := startServer(t)
		sess := t.TempDir() + "/session.pem"
		run := func(args ...string) string {
			base := []string{"s_client", "-connect", addr, "-servername", "localhost", "-tls1_2", "-CAfile", certFile("ca.pem")}
			cmd := exec.Command("openssl", append(base, args...)...)
			cmd.Stdin = strings.NewReader("")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			return string(out)
		}
		if out := run("-sess_out", sess); !strings.Contains(out, "New, TLSv1.2") || !strings.Contains(out, "TLS session ticket") {
			t.Fatalf("first connection:\n%s", out)
		}
		if out := run("-sess_in", sess); !strings.Contains(out, "Reused, TLSv1.2") {
			t.Fatalf("second connection did not resume:\n%s", out)
		}
	})
	t.Run("our client against s_server", func(t *testing.T) {
		port := freePort(t)
		start(t, "openssl", "s_server", "-accept", "127.0.0.1:"+port, "-tls1_2",
			"-cert", certFile("server.pem"), "-key", certFile("server-key.pem"), "-quiet")
		waitListening(t, "127.0.0.1:"+port)
		client := exec.Command(spBinary, "client", "-connect", "127.0.0.1:"+port, "-servername", "localhost",
			"-ca", certFile("ca.pem"), "-reconnect")
		client.Stdin = strings.NewReader("")
		out, err := client.CombinedOutput()
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if strings.Count(string(out), "resumed: no") != 1 || strings.Count(string(out), "resumed: yes") != 1 {
			t.Fatalf("want one full and one resumed connection:\n%s", out)
		}
	})
}
