package gnettls

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/securepair/securepair/securepairtest/certgen"
)

// runExample builds an example command and runs it on a free port with a
// fresh certificate until the test ends; it returns the address and the
// CA file.
func runExample(t *testing.T, name string) (addr, caFile string) {
	t.Helper()
	dir := t.TempDir()
	bin := dir + "/" + name
	if out, err := exec.Command("go", "build", "-o", bin, "./examples/"+name).CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", name, err, out)
	}
	ca, leaf := newCredentials(t, certgen.ECDSAP256, certgen.LeafOptions{}, testHost, "127.0.0.1")
	certFile, keyFile := writeKeyPair(t, dir, "server", leaf)
	caFile = writePEM(t, dir, "ca.pem", pemOf(ca))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-listen", addr, "-cert", certFile, "-key", keyFile)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", name, logs.String())
		}
	})
	waitFor(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return addr, caFile
}

// curl gets answers from the HTTPS example, two requests on one
// connection (keep-alive).
func TestHTTPSExampleWithCurl(t *testing.T) {
	need(t, "curl")
	addr, caFile := runExample(t, "https")
	_, port, _ := net.SplitHostPort(addr)
	url := "https://" + testHost + ":" + port
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "curl", "-sS", "--http1.1", "--cacert", caFile, "--resolve", testHost+":"+port+":127.0.0.1",
		"-w", "connects=%{num_connects}\n",
		url+"/first", url+"/second").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	want := []string{"hello from gnet over TLS_AES_128_GCM_SHA256: GET /first\nconnects=1\n", "GET /second\nconnects=0\n"}
	for _, want := range want {
		if !strings.Contains(string(out), want) {
			t.Fatalf("curl printed %q, want %q in it", out, want)
		}
	}
}

// The echo example echoes for crypto/tls.
func TestEchoExample(t *testing.T) {
	addr, caFile := runExample(t, "echo")
	caPEM, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: roots, ServerName: testHost})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := echoOnce(conn, []byte("through the echo example")); err != nil {
		t.Fatal(err)
	}
}
