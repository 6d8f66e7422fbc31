package interop

import (
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// openssl s_client against `securepair server`, with a goroutine per
// connection and on gnet's event loops: it verifies our chain, receives
// "welcome!" and gets its line echoed.
func TestOpenSSLClientToOurServer(t *testing.T) {
	need(t, "openssl")
	for _, loop := range []string{"net", "gnet"} {
		t.Run(loop, func(t *testing.T) {
			srv, addr := startServer(t, "-loop", loop)
			c := start(t, "openssl", "s_client", "-connect", addr, "-servername", "localhost",
				"-CAfile", certFile("ca.pem"), "-verify_return_error", "-ign_eof")
			c.waitFor(t, "Verify return code: 0 (ok)", "welcome!")
			io.WriteString(c.stdin, "ping from openssl\n")
			c.waitFor(t, "welcome!\nping from openssl\n") // our echo
			srv.waitFor(t, "server connected unauthorized")
		})
	}
}

// The seed's JavaScript echo server (tls.createServer, 'welcome!', pipe)
// run by Node.js, with our client.
func TestNodeSeedServerWithOurClient(t *testing.T) {
	need(t, "node")
	script := writeScript(t, "server.js", `
const tls = require('tls'), fs = require('fs');
const options = { key: fs.readFileSync(process.argv[2]), cert: fs.readFileSync(process.argv[3]) };
const server = tls.createServer(options, function (s) {
  s.write("welcome!\n");
  s.pipe(s);
});
server.listen(0, '127.0.0.1', function () { console.log('server bound ' + server.address().port); });
`)
	node := start(t, "node", script, certFile("server-key.pem"), certFile("server.pem"))
	node.waitFor(t, "server bound ")
	port := strings.TrimSpace(strings.TrimPrefix(node.Output(), "server bound "))
	client := exec.Command(spBinary, "client", "-connect", "127.0.0.1:"+port, "-servername", "localhost", "-ca", certFile("ca.pem"))
	client.Stdin = strings.NewReader("hello node\n")
	out, err := client.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"client connected authorized", "version: TLS 1.3", "welcome!\nhello node\n"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("client output lacks %q:\n%s", want, out)
		}
	}
}

// The seed's JavaScript client (tls.connect, 'client connected', pipe
// stdin) run by Node.js, against `securepair server`.
func TestNodeSeedClientWithOurServer(t *testing.T) {
	need(t, "node")
	_, addr := startServer(t)
	script := writeScript(t, "client.js", `
const tls = require('tls'), fs = require('fs');
const options = { ca: [fs.readFileSync(process.argv[3])], servername: 'localhost' };
const s = tls.connect(Number(process.argv[2]), '127.0.0.1', options, function () {
  console.log('client connected', s.authorized ? 'authorized' : 'unauthorized', s.getProtocol());
  process.stdin.pipe(s);
  process.stdin.resume();
});
s.setEncoding('utf8');
s.on('data', function (d) { process.stdout.write(d); if (d.includes('from node')) s.end(); });
s.on('end', function () { process.exit(0); });
`)
	c := start(t, "node", script, port(addr), certFile("ca.pem"))
	c.waitFor(t, "client connected authorized TLSv1.3", "welcome!")
	io.WriteString(c.stdin, "echo from node\n")
	c.waitFor(t, "echo from node")
	if err := c.wait(t); err != nil {
		t.Fatalf("node client: %v", err)
	}
}

// curl fetches a page over HTTPS from a net/http server serving through
// our Listen.
func TestCurlHTTPSThroughListen(t *testing.T) {
	need(t, "curl")
	cert, err := tls.LoadX509KeyPair(certFile("server.pem"), certFile("server-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := adapters.Listen("tcp", "127.0.0.1:0", &engine.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from net/http over securepair, path "+r.URL.Path)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	out, err := exec.Command("curl", "-sS", "--cacert", certFile("ca.pem"),
		"https://localhost:"+port(ln.Addr().String())+"/page").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	if string(out) != "hello from net/http over securepair, path /page" {
		t.Fatalf("curl got %q", out)
	}
}

// Python's ssl module as a client of `securepair server`.
func TestPythonClientWithOurServer(t *testing.T) {
	need(t, "python3")
	_, addr := startServer(t)
	script := writeScript(t, "client.py", `
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
with socket.create_connection(("127.0.0.1", int(sys.argv[1]))) as raw:
    with ctx.wrap_socket(raw, server_hostname="localhost") as s:
        print(s.version(), s.cipher()[0])
        data = b""
        while b"welcome!\n" not in data:
            data += s.recv(100)
        s.sendall(b"python says hi\n")
        while b"python says hi\n" not in data:
            data += s.recv(100)
        print(data.decode(), end="")
`)
	out, err := exec.Command("python3", script, port(addr), certFile("ca.pem")).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "TLSv1.3") || !strings.Contains(string(out), "welcome!\npython says hi\n") {
		t.Fatalf("python output:\n%s", out)
	}
}

func writeScript(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
