package interop

import (
	"bufio"
	"crypto"
	"crypto/tls"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// authCerts writes, under dir, a CA and the certificates whose
// verification Node and we must report alike (name.pem, name-key.pem):
// valid, expired, not yet valid, for another name, from another CA (with and
// without that CA in the chain), self-signed. client makes client-auth
// certificates.
func authCerts(t *testing.T, dir string, client bool) []string {
	t.Helper()
	ca, err := certgen.NewCA("node codes CA")
	if err != nil {
		t.Fatal(err)
	}
	other, err := certgen.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, chain [][]byte, key crypto.PrivateKey) {
		keyPEM, err := certgen.KeyPEM(key)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, name+".pem"), certgen.CertPEM(chain), 0o644)
		os.WriteFile(filepath.Join(dir, name+"-key.pem"), keyPEM, 0o600)
	}
	os.WriteFile(filepath.Join(dir, "ca.pem"), certgen.CertPEM([][]byte{ca.Cert.Raw}), 0o644)
	now := time.Now()
	valid := certgen.LeafOptions{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), Client: client}
	leaf := func(name string, issuer *certgen.CA, host string, opts certgen.LeafOptions, chainLen int) {
		c, err := issuer.Leaf(certgen.ECDSAP256, []string{host}, opts)
		if err != nil {
			t.Fatal(err)
		}
		write(name, c.Certificate[:chainLen], c.PrivateKey)
	}
	expired, future := valid, valid
	expired.NotBefore, expired.NotAfter = now.Add(-48*time.Hour), now.Add(-24*time.Hour)
	future.NotBefore, future.NotAfter = now.Add(24*time.Hour), now.Add(48*time.Hour)
	leaf("ok", ca, "localhost", valid, 2)
	leaf("expired", ca, "localhost", expired, 2)
	leaf("future", ca, "localhost", future, 2)
	leaf("otherca", other, "localhost", valid, 2)
	leaf("otherleaf", other, "localhost", valid, 1)
	self, err := certgen.NewCAValid("localhost", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	write("selfsigned", [][]byte{self.Cert.Raw}, self.Key)
	names := []string{"ok", "expired", "future", "otherca", "otherleaf", "selfsigned"}
	if client { // the server the Node client talks to
		leaf("server", ca, "localhost", certgen.LeafOptions{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}, 2)
	} else {
		leaf("wrongname", ca, "other.example", valid, 2)
		names = append(names, "wrongname")
	}
	return names
}

// nodeCodeOf is the code in our AuthorizationError ("" when authorized).
func nodeCodeOf(st engine.ConnectionState) string {
	var ce *engine.CertificateError
	if st.Authorized {
		return ""
	}
	if errors.As(st.AuthorizationError, &ce) {
		return ce.Code
	}
	return "(no code: " + st.AuthorizationError.Error() + ")"
}

// nodeReports runs a Node 20 script over the certificates in dir and returns
// what it printed for each name: the authorizationError, "" when authorized.
func nodeReports(t *testing.T, dir, script string, names []string) map[string]string {
	t.Helper()
	out, err := exec.Command("node", writeScript(t, "codes.js", script), dir, strings.Join(names, ",")).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	codes := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		if name, code, ok := strings.Cut(sc.Text(), " "); ok {
			codes[name] = strings.TrimSpace(code)
		}
	}
	return codes
}

// Our client reports the same authorized/unauthorized verdict and the same
// code as a Node 20 client, for the same server certificates.
func TestNodeCodesClient(t *testing.T) {
	need(t, "node")
	dir := t.TempDir()
	names := authCerts(t, dir, false)
	node := nodeReports(t, dir, `
const tls = require('tls'), fs = require('fs'), path = require('path');
const dir = process.argv[2];
(async () => {
  for (const n of process.argv[3].split(',')) {
    await new Promise((resolve) => {
      const srv = tls.createServer({key: fs.readFileSync(path.join(dir, n+'-key.pem')), cert: fs.readFileSync(path.join(dir, n+'.pem'))}, s => s.end());
      srv.listen(0, '127.0.0.1', () => {
        const c = tls.connect({port: srv.address().port, host: '127.0.0.1', servername: 'localhost',
          ca: fs.readFileSync(path.join(dir, 'ca.pem')), rejectUnauthorized: false}, () => {
          console.log(n, c.authorized ? '' : c.authorizationError);
          c.end(); srv.close(); resolve();
        });
        c.on('error', e => { console.log(n, 'error ' + e.code); srv.close(); resolve(); });
      });
    });
  }
})();
`, names)
	roots, err := engine.CertPoolFromPEM(mustRead(t, filepath.Join(dir, "ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		cert, err := tls.LoadX509KeyPair(filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem"))
		if err != nil {
			t.Fatal(err)
		}
		ln, err := adapters.Listen("tcp", "127.0.0.1:0", &engine.Config{Certificates: []tls.Certificate{cert}})
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			if c, err := ln.Accept(); err == nil {
				c.Write([]byte("x"))
				c.Close()
			}
		}()
		conn, err := adapters.Dial("tcp", ln.Addr().String(), &engine.Config{ServerName: "localhost", RootCAs: roots, InsecureAcceptUnauthorized: true})
		ln.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ours := nodeCodeOf(conn.EngineState())
		conn.Close()
		if ours != node[name] {
			t.Errorf("server certificate %s: we report %q, Node %q", name, ours, node[name])
		}
	}
}

// nodeClientJS connects a Node client to port once per client certificate
// name ("none": no certificate), one after the other.
const nodeClientJS = `
const tls = require('tls'), fs = require('fs'), path = require('path');
function connect(dir, n, port) {
  return new Promise((resolve) => {
    const opts = {port, host: '127.0.0.1', servername: 'localhost', ca: fs.readFileSync(path.join(dir, 'ca.pem')), rejectUnauthorized: false};
    if (n !== 'none') { opts.key = fs.readFileSync(path.join(dir, n+'-key.pem')); opts.cert = fs.readFileSync(path.join(dir, n+'.pem')); }
    const c = tls.connect(opts);
    c.on('data', () => {}); c.on('error', () => {}); c.on('close', resolve);
  });
}
`

// Our server reports the same verdict and code as a Node 20 server
// (requestCert: true, rejectUnauthorized: false) for the same client
// certificates, none included, sent by the same Node client.
func TestNodeCodesServer(t *testing.T) {
	need(t, "node")
	dir := t.TempDir()
	names := append(authCerts(t, dir, true), "none")
	node := nodeReports(t, dir, nodeClientJS+`
const dir = process.argv[2];
(async () => {
  for (const n of process.argv[3].split(',')) {
    const srv = tls.createServer({key: fs.readFileSync(path.join(dir, 'server-key.pem')), cert: fs.readFileSync(path.join(dir, 'server.pem')),
      ca: fs.readFileSync(path.join(dir, 'ca.pem')), requestCert: true, rejectUnauthorized: false}, s => {
      console.log(n, s.authorized ? '' : s.authorizationError);
      s.end();
    });
    await new Promise(r => srv.listen(0, '127.0.0.1', r));
    await connect(dir, n, srv.address().port);
    srv.close();
  }
})();
`, names)

	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	cas, err := engine.CertPoolFromPEM(mustRead(t, filepath.Join(dir, "ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := adapters.Listen("tcp", "127.0.0.1:0", &engine.Config{Certificates: []tls.Certificate{cert},
		ClientAuth: tls.RequestClientCert, ClientCAs: cas})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ours := make(chan string, len(names))
	go func() {
		for range names {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conn := c.(*adapters.Conn)
			if err := conn.Handshake(t.Context()); err != nil {
				ours <- "handshake: " + err.Error()
			} else {
				ours <- nodeCodeOf(conn.EngineState())
			}
			conn.Close()
		}
	}()
	script := writeScript(t, "connect.js", nodeClientJS+`
(async () => { for (const n of process.argv[4].split(',')) await connect(process.argv[2], n, +process.argv[3]); })();
`)
	if out, err := exec.Command("node", script, dir, port(ln.Addr().String()), strings.Join(names, ",")).CombinedOutput(); err != nil {
		t.Fatalf("node client: %v\n%s", err, out)
	}
	for _, name := range names {
		if got := <-ours; got != node[name] {
			t.Errorf("client certificate %s: we report %q, Node %q", name, got, node[name])
		}
	}
}
