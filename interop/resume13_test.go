package interop

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TLS 1.3 resumption: openssl s_client -sess_out/-sess_in against our
// server, Node's session option against our server, and our client
// resuming against openssl s_server.
func TestResumption13(t *testing.T) {
	t.Run("openssl s_client -sess_out/-sess_in", func(t *testing.T) {
		need(t, "openssl")
		_, addr := startServer(t)
		sess := t.TempDir() + "/session.pem"
		run := func(args ...string) string { return sClientSession(t, addr, args...) }
		if out := run("-sess_out", sess); !strings.Contains(out, "New, TLSv1.3") {
			t.Fatalf("first connection:\n%s", out)
		}
		if out := run("-sess_in", sess); !strings.Contains(out, "Reused, TLSv1.3") {
			t.Fatalf("second connection did not resume:\n%s", out)
		}
	})
	t.Run("node session option", func(t *testing.T) {
		need(t, "node")
		_, addr := startServer(t)
		script := writeScript(t, "r.js", `
const tls = require('tls'), fs = require('fs');
const opts = {port: Number(process.argv[2]), host: '127.0.0.1', servername: 'localhost', ca: [fs.readFileSync(process.argv[3])]};
function connect(session, next) {
  const s = tls.connect(Object.assign({session}, opts), () => {
    console.log('connected', s.isSessionReused() ? 'reused' : 'new', s.getProtocol());
  });
  let saved;
  s.on('session', sess => { saved = sess; });
  s.on('data', () => s.end());
  s.on('close', () => next(saved));
}
connect(undefined, saved => connect(saved, () => {}));
`)
		out, err := exec.Command("node", script, port(addr), certFile("ca.pem")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "connected new TLSv1.3") || !strings.Contains(string(out), "connected reused TLSv1.3") {
			t.Fatalf("%v\n%s", err, out)
		}
	})
	t.Run("our client against s_server", func(t *testing.T) {
		need(t, "openssl")
		port := freePort(t)
		start(t, "openssl", "s_server", "-accept", "127.0.0.1:"+port, "-tls1_3",
			"-cert", certFile("server.pem"), "-key", certFile("server-key.pem"), "-quiet")
		waitListening(t, "127.0.0.1:"+port)
		out, err := ourClient(t, "", "-connect", "127.0.0.1:"+port, "-servername", "localhost", "-ca", certFile("ca.pem"), "-reconnect")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if strings.Count(out, "resumed: no") != 1 || strings.Count(out, "resumed: yes") != 1 || strings.Count(out, "version: TLS 1.3") != 2 {
			t.Fatalf("want one full and one resumed TLS 1.3 connection:\n%s", out)
		}
	})
}

// openssl s_client -early_data against our server: the 0-RTT data is
// accepted and reaches the server's application as early data.
func TestOpenSSLEarlyData(t *testing.T) {
	need(t, "openssl")
	srv, addr := startServer(t, "-early-data", "1024")
	dir := t.TempDir()
	sess, early := dir+"/session.pem", dir+"/early.txt"
	if err := os.WriteFile(early, []byte("zero rtt hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string { return sClientSession(t, addr, args...) }
	run("-sess_out", sess)
	if out := run("-sess_in", sess, "-early_data", early); !strings.Contains(out, "Early data was accepted") {
		t.Fatalf("early data not accepted:\n%s", out)
	}
	srv.waitFor(t, `server early data: "zero rtt hello\n"`)
}

// sClientSession runs one TLS 1.3 openssl s_client connection to our
// server: it waits for "welcome!" (which follows the tickets), then ends
// s_client by closing its input, and returns what s_client printed.
func sClientSession(t *testing.T, addr string, args ...string) string {
	t.Helper()
	base := []string{"s_client", "-connect", addr, "-servername", "localhost", "-tls1_3", "-CAfile", certFile("ca.pem")}
	c := start(t, "openssl", append(base, args...)...)
	c.waitFor(t, "welcome!")
	c.stdin.Close()
	if err := c.wait(t); err != nil {
		t.Fatalf("%v\n%s", err, c.Output())
	}
	return c.Output()
}
