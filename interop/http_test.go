package interop

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// caPool is the interop CA.
func caPool(t *testing.T) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(certFile("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return pool
}

// curl --http2 and --http1.1 against our HTTPServer, at TLS 1.3 and 1.2,
// with and without a client certificate: curl gets the protocol it asked
// for, and the handler's Request.TLS has the version, ALPN and the
// client's certificate.
func TestCurlAgainstHTTPServer(t *testing.T) {
	need(t, "curl")
	cert, err := tls.LoadX509KeyPair(certFile("server.pem"), certFile("server-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &engine.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: caPool(t)}
	url := serveHTTP(t, cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			http.Error(w, "no r.TLS", http.StatusInternalServerError)
			return
		}
		peer := "none"
		if len(r.TLS.PeerCertificates) > 0 {
			peer = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		fmt.Fprintf(w, "%s %s alpn=%s peer=%s\n", r.Proto, tls.VersionName(r.TLS.Version), r.TLS.NegotiatedProtocol, peer)
	}))
	clientCert := []string{"--cert", certFile("client.pem"), "--key", certFile("client-key.pem")}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"http2", []string{"--http2"}, "2 HTTP/2.0 TLS 1.3 alpn=h2 peer=none"},
		{"http1.1", []string{"--http1.1"}, "1.1 HTTP/1.1 TLS 1.3 alpn=http/1.1 peer=none"},
		{"http2 TLS 1.2", []string{"--http2", "--tls-max", "1.2"}, "2 HTTP/2.0 TLS 1.2 alpn=h2 peer=none"},
		{"http1.1 TLS 1.2", []string{"--http1.1", "--tls-max", "1.2"}, "1.1 HTTP/1.1 TLS 1.2 alpn=http/1.1 peer=none"},
		{"http2 client certificate", append([]string{"--http2"}, clientCert...), "2 HTTP/2.0 TLS 1.3 alpn=h2 peer=securepair client"},
		{"http1.1 client certificate", append([]string{"--http1.1"}, clientCert...), "1.1 HTTP/1.1 TLS 1.3 alpn=http/1.1 peer=securepair client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"-sS", "--cacert", certFile("ca.pem"), "-w", "%{http_version} "}, tt.args...)
			out, err := exec.Command("curl", append(args, url)...).CombinedOutput()
			if err != nil {
				t.Fatalf("curl: %v\n%s", err, out)
			}
			// The body ends in a newline, then -w adds curl's view of the
			// protocol: rotate it to the front.
			body, proto, _ := strings.Cut(string(out), "\n")
			if got := strings.TrimSpace(proto) + " " + body; got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// serveHTTP runs our HTTPServer with h on 127.0.0.1 until the test ends
// and returns its URL, named localhost as the interop certificate is.
func serveHTTP(t *testing.T, cfg *engine.Config, h http.Handler) string {
	t.Helper()
	srv, err := adapters.NewHTTPServer(cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "https://localhost:" + port(ln.Addr().String()) + "/"
}

// nginx serves h2 and HTTP/1.1 on a free 127.0.0.1 port with the interop
// certificate, answering with the protocol and TLS version it saw.
func startNginx(t *testing.T, protocols string) string {
	t.Helper()
	nginx := need(t, "nginx")
	dir := t.TempDir()
	addr := "127.0.0.1:" + freePort(t)
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events {}
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  keepalive_requests 1000;
  server {
    listen %[2]s ssl http2;
    ssl_certificate %[3]s;
    ssl_certificate_key %[4]s;
    ssl_protocols %[5]s;
    location / { return 200 "nginx $server_protocol $ssl_protocol\n"; }
  }
}
`, dir, addr, certFile("server.pem"), certFile("server-key.pem"), protocols)
	confFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, nginx, "-c", confFile, "-p", dir, "-e", filepath.Join(dir, "error.log"))
	waitListening(t, addr)
	return addr
}

// Our RoundTripper against nginx with h2, at TLS 1.3 and 1.2, with the
// default hello and Chrome and Firefox shapes: 100 requests go over one
// HTTP/2 connection.
func TestOurHTTPTransportAgainstNginx(t *testing.T) {
	servers := []struct{ protocols, want string }{
		{"TLSv1.2 TLSv1.3", "nginx HTTP/2.0 TLSv1.3\n"},
		{"TLSv1.2", "nginx HTTP/2.0 TLSv1.2\n"},
	}
	shapes := []struct {
		name string
		id   *utls.ClientHelloID
	}{{"default", nil}, {"chrome", &utls.HelloChrome_Auto}, {"firefox", &utls.HelloFirefox_Auto}}
	for _, s := range servers {
		addr := startNginx(t, s.protocols)
		for _, shape := range shapes {
			t.Run(s.protocols+"/"+shape.name, func(t *testing.T) {
				tr := adapters.NewHTTPTransport(&engine.Config{RootCAs: caPool(t), ClientHelloID: shape.id})
				tr.Proxy = nil
				var dials atomic.Int64
				tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
					dials.Add(1)
					var d net.Dialer
					return d.DialContext(ctx, network, a)
				}
				defer tr.CloseIdleConnections()
				client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
				url := "https://localhost:" + port(addr) + "/"
				for i := range 100 {
					resp, err := client.Get(url)
					if err != nil {
						t.Fatalf("request %d: %v", i, err)
					}
					body, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || string(body) != s.want || resp.Proto != "HTTP/2.0" {
						t.Fatalf("request %d: %s %q %v; want %q", i, resp.Proto, body, err, s.want)
					}
				}
				if n := dials.Load(); n != 1 {
					t.Fatalf("100 requests took %d connections, want 1", n)
				}
			})
		}
	}
}

// Go's net/http client (crypto/tls, HTTP/2) against our server, through a
// refused handshake too: a client that does not trust our CA fails with an
// x509 error, and the server goes on serving.
func TestGoHTTPClientAgainstHTTPServer(t *testing.T) {
	cert, err := tls.LoadX509KeyPair(certFile("server.pem"), certFile("server-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	url := serveHTTP(t, &engine.Config{Certificates: []tls.Certificate{cert}}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s", r.Proto, r.TLS.NegotiatedProtocol)
	}))

	untrusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}, ForceAttemptHTTP2: true}}
	var unknown x509.UnknownAuthorityError
	if _, err := untrusting.Get(url); !errors.As(err, &unknown) {
		t.Fatalf("untrusting client: %v, want x509.UnknownAuthorityError", err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool(t)}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "HTTP/2.0 h2" {
		t.Fatalf("got %q", body)
	}
}
