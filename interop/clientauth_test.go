package interop

import (
	"os/exec"
	"strings"
	"testing"
)

// ourClient runs `securepair client` with args and stdin, returning its output.
func ourClient(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(spBinary, append([]string{"client"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// The seed's echo server with requestCert and ca: a client presenting a
// certificate is authorized, one without is connected unauthorized; with
// rejectUnauthorized the second is refused.
func TestSeedRequestCert(t *testing.T) {
	withCert := []string{"-ca", certFile("ca.pem"), "-servername", "localhost", "-cert", certFile("client.pem"), "-key", certFile("client-key.pem")}
	without := []string{"-ca", certFile("ca.pem"), "-servername", "localhost"}
	t.Run("requestCert", func(t *testing.T) {
		srv, addr := startServer(t, "-request-cert", "-ca", certFile("ca.pem"))
		for _, args := range [][]string{withCert, without} {
			out, err := ourClient(t, "hi\n", append([]string{"-connect", addr}, args...)...)
			if err != nil || !strings.Contains(out, "welcome!\nhi\n") {
				t.Fatalf("%v\n%s", err, out)
			}
		}
		srv.waitFor(t, "server connected authorized", "server connected unauthorized: UNABLE_TO_GET_ISSUER_CERT")
	})
	t.Run("rejectUnauthorized", func(t *testing.T) {
		srv, addr := startServer(t, "-request-cert", "-reject-unauthorized", "-ca", certFile("ca.pem"))
		if out, err := ourClient(t, "hi\n", append([]string{"-connect", addr}, withCert...)...); err != nil || !strings.Contains(out, "welcome!") {
			t.Fatalf("client with a certificate: %v\n%s", err, out)
		}
		out, err := ourClient(t, "hi\n", append([]string{"-connect", addr}, without...)...)
		if err == nil && strings.Contains(out, "welcome!") {
			t.Fatalf("client without a certificate was served:\n%s", out)
		}
		srv.waitFor(t, "server connected authorized", "certificate_required")
	})
}

// openssl s_client -cert/-key against our server requesting certificates,
// and our client with a certificate against openssl s_server -Verify 1.
func TestOpenSSLClientCertificates(t *testing.T) {
	need(t, "openssl")
	for _, version := range []string{"-tls1_3", "-tls1_2"} {
		t.Run("s_client "+version, func(t *testing.T) {
			srv, addr := startServer(t, "-request-cert", "-reject-unauthorized", "-ca", certFile("ca.pem"))
			c := start(t, "openssl", "s_client", "-connect", addr, "-servername", "localhost", version,
				"-cert", certFile("client.pem"), "-key", certFile("client-key.pem"), "-CAfile", certFile("ca.pem"), "-ign_eof")
			c.waitFor(t, "welcome!")
			srv.waitFor(t, "server connected authorized")
		})
		t.Run("s_server -Verify 1 "+version, func(t *testing.T) {
			port := freePort(t)
			srv := start(t, "openssl", "s_server", "-accept", "127.0.0.1:"+port, version, "-Verify", "1",
				"-CAfile", certFile("ca.pem"), "-cert", certFile("server.pem"), "-key", certFile("server-key.pem"))
			waitListening(t, "127.0.0.1:"+port)
			out, err := ourClient(t, "from a certified client\n", "-connect", "127.0.0.1:"+port, "-servername", "localhost",
				"-ca", certFile("ca.pem"), "-cert", certFile("client.pem"), "-key", certFile("client-key.pem"))
			if err != nil || !strings.Contains(out, "client connected authorized") {
				t.Fatalf("%v\n%s", err, out)
			}
			srv.waitFor(t, "verify return:1", "from a certified client")
		})
	}
}

// Node's tls.connect with key/cert/ca against our server, and
// tls.createServer with requestCert/rejectUnauthorized against our client.
func TestNodeClientCertificates(t *testing.T) {
	need(t, "node")
	t.Run("node client with a certificate", func(t *testing.T) {
		srv, addr := startServer(t, "-request-cert", "-reject-unauthorized", "-ca", certFile("ca.pem"))
		script := writeScript(t, "c.js", `
const tls = require('tls'), fs = require('fs');
const s = tls.connect({port: Number(process.argv[2]), host: '127.0.0.1', servername: 'localhost',
  key: fs.readFileSync(process.argv[3]), cert: fs.readFileSync(process.argv[4]), ca: [fs.readFileSync(process.argv[5])]}, () => {
  console.log('client connected', s.authorized ? 'authorized' : 'unauthorized');
});
s.on('data', d => { process.stdout.write(d); s.end(); });
`)
		out, err := exec.Command("node", script, port(addr), certFile("client-key.pem"), certFile("client.pem"), certFile("ca.pem")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "client connected authorized") || !strings.Contains(string(out), "welcome!") {
			t.Fatalf("%v\n%s", err, out)
		}
		srv.waitFor(t, "server connected authorized")
	})
	t.Run("node server with requestCert and rejectUnauthorized", func(t *testing.T) {
		script := writeScript(t, "s.js", `
const tls = require('tls'), fs = require('fs');
const server = tls.createServer({key: fs.readFileSync(process.argv[2]), cert: fs.readFileSync(process.argv[3]),
  ca: [fs.readFileSync(process.argv[4])], requestCert: true, rejectUnauthorized: true}, s => {
  console.log('server connected', s.authorized ? 'authorized' : 'unauthorized');
  s.write('welcome!\n'); s.pipe(s);
});
server.on('tlsClientError', e => console.log('refused', e.code));
server.listen(0, '127.0.0.1', () => console.log('server bound ' + server.address().port));
`)
		node := start(t, "node", script, certFile("server-key.pem"), certFile("server.pem"), certFile("ca.pem"))
		node.waitFor(t, "server bound ")
		p := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(node.Output(), "\n", 2)[0], "server bound "))
		out, err := ourClient(t, "hi\n", "-connect", "127.0.0.1:"+p, "-servername", "localhost", "-ca", certFile("ca.pem"),
			"-cert", certFile("client.pem"), "-key", certFile("client-key.pem"))
		if err != nil || !strings.Contains(out, "welcome!\nhi\n") {
			t.Fatalf("%v\n%s", err, out)
		}
		node.waitFor(t, "server connected authorized")
		ourClient(t, "", "-connect", "127.0.0.1:"+p, "-servername", "localhost", "-ca", certFile("ca.pem"))
		node.waitFor(t, "refused")
	})
}
