package interop

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// openssl s_client -starttls smtp, imap and pop3 against `securepair server
// -starttls`: the upgrade verifies, and the session goes on over TLS.
func TestOpenSSLStartTLS(t *testing.T) {
	need(t, "openssl")
	tests := []struct {
		proto      string
		send, want string
	}{
		{"smtp", "EHLO openssl\r\nQUIT\r\n", "221 2.0.0 Bye"},
		{"imap", "over tls\n", "over tls"}, // stdin is not echoed: this is ours
		{"pop3", "over tls\n", "over tls"},
	}
	for _, tt := range tests {
		t.Run(tt.proto, func(t *testing.T) {
			srv, addr := startServer(t, "-starttls", tt.proto)
			c := start(t, "openssl", "s_client", "-connect", addr, "-starttls", tt.proto, "-servername", "localhost",
				"-CAfile", certFile("ca.pem"), "-verify_return_error", "-ign_eof", "-crlf")
			c.waitFor(t, "Verify return code: 0 (ok)")
			io.WriteString(c.stdin, strings.ReplaceAll(tt.send, "\r\n", "\n"))
			c.waitFor(t, tt.want)
			srv.waitFor(t, "server connected")
		})
	}
}

// curl's smtp:// with --ssl-reqd against `securepair server -starttls smtp`.
func TestCurlSMTPStartTLS(t *testing.T) {
	need(t, "curl")
	_, addr := startServer(t, "-starttls", "smtp")
	mail := writeScript(t, "mail.txt", "Subject: hello\r\n\r\nsent over STARTTLS\r\n")
	out, err := exec.Command("curl", "-sS", "-v", "--ssl-reqd", "--cacert", certFile("ca.pem"),
		"--mail-from", "a@example.test", "--mail-rcpt", "b@example.test", "-T", mail,
		"smtp://localhost:"+port(addr)).CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	for _, want := range []string{"STARTTLS", "TLSv1.3", "250 2.0.0 message accepted"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("curl output lacks %q:\n%s", want, out)
		}
	}
}

// Plaintext pipelined behind STARTTLS is refused by `securepair server`:
// the connection closes instead of carrying it into TLS.
func TestStartTLSInjectionRefused(t *testing.T) {
	srv, addr := startServer(t, "-starttls", "smtp")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(nc)
	br.ReadString('\n')
	io.WriteString(nc, "EHLO x\r\n")
	for l, _ := br.ReadString('\n'); !strings.HasPrefix(l, "250 "); l, _ = br.ReadString('\n') {
	}
	io.WriteString(nc, "STARTTLS\r\nRCPT TO:<injected@example.test>\r\n")
	rest, _ := io.ReadAll(br)
	if len(rest) > 0 && !strings.HasPrefix(string(rest), "220") {
		t.Fatalf("server answered %q", rest)
	}
	srv.waitFor(t, "plaintext pipelined after STARTTLS")
}

// Our PostgreSQL upgrade (SSLRequest) against a real PostgreSQL server with
// ssl on, then SELECT 1 over TLS.
func TestPostgresStartTLS(t *testing.T) {
	pg := startPostgres(t)
	nc, err := net.Dial("tcp", pg)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	pool, _ := engine.CertPoolFromPEM(mustRead(t, certFile("ca.pem")))
	conn, err := adapters.DialStartTLS(nc, adapters.Postgres, &engine.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	st := conn.EngineState()
	if !st.Authorized || st.Version != 0x0304 {
		t.Fatalf("state %+v", st)
	}
	got, err := postgresSelectOne(conn)
	if err != nil {
		t.Fatal(err)
	}
	if got != "1" {
		t.Fatalf("SELECT 1 gave %q", got)
	}
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pgBin finds a PostgreSQL server program.
func pgBin(t *testing.T, name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) == 0 {
		t.Fatalf("PostgreSQL's %s is not installed (.ci/run installs postgresql)", name)
	}
	return matches[len(matches)-1]
}

// startPostgres runs a throwaway PostgreSQL with ssl on, on a free port of
// 127.0.0.1, as the postgres user, and returns its address.
func startPostgres(t *testing.T) string {
	t.Helper()
	initdb, postgres := pgBin(t, "initdb"), pgBin(t, "postgres")
	dir, err := os.MkdirTemp("", "securepair-pg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	asPostgres := func(args ...string) *exec.Cmd {
		if os.Geteuid() == 0 {
			return exec.Command("runuser", append([]string{"-u", "postgres", "--"}, args...)...)
		}
		return exec.Command(args[0], args[1:]...)
	}
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres:postgres", dir, data).CombinedOutput(); err != nil {
			t.Fatalf("chown: %v %s", err, out)
		}
	}
	if out, err := asPostgres(initdb, "-D", data, "-A", "trust", "-U", "postgres").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	for _, f := range []string{"server.pem", "server-key.pem"} {
		dst := filepath.Join(data, f)
		if err := os.WriteFile(dst, mustRead(t, certFile(f)), 0o600); err != nil {
			t.Fatal(err)
		}
		if os.Geteuid() == 0 {
			exec.Command("chown", "postgres:postgres", dst).Run()
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := asPostgres(postgres, "-D", data, "-c", "listen_addresses=127.0.0.1", "-c", "port="+port(addr),
		"-c", "unix_socket_directories="+dir, "-c", "ssl=on",
		"-c", "ssl_cert_file="+filepath.Join(data, "server.pem"), "-c", "ssl_key_file="+filepath.Join(data, "server-key.pem"))
	log, _ := os.Create(filepath.Join(dir, "log"))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) // fast shutdown
		cmd.Wait()
	})
	// The port opens before the server takes sessions (a startup packet then
	// gets 57P03, "the database system is starting up"): wait for the log
	// line that says it is ready.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if logged, _ := os.ReadFile(log.Name()); strings.Contains(string(logged), "ready to accept connections") {
			return addr
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "log"))
	t.Fatalf("PostgreSQL did not start:\n%s", out)
	return ""
}

// postgresSelectOne speaks just enough of the PostgreSQL protocol (v3,
// trust authentication) to run SELECT 1 and return the value.
func postgresSelectOne(rw io.ReadWriter) (string, error) {
	startup := pgMessage(0, func(b []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, 196608) // protocol 3.0
		for _, kv := range []string{"user", "postgres", "database", "postgres"} {
			b = append(append(b, kv...), 0)
		}
		return append(b, 0)
	})
	if _, err := rw.Write(startup); err != nil {
		return "", err
	}
	if err := pgReadUntil(rw, 'Z', nil); err != nil {
		return "", fmt.Errorf("startup: %w", err)
	}
	query := pgMessage('Q', func(b []byte) []byte { return append(append(b, "SELECT 1"...), 0) })
	if _, err := rw.Write(query); err != nil {
		return "", err
	}
	var value string
	err := pgReadUntil(rw, 'Z', func(typ byte, body []byte) {
		if typ == 'D' && len(body) >= 6 {
			n := int(binary.BigEndian.Uint32(body[2:6]))
			if 6+n <= len(body) {
				value = string(body[6 : 6+n])
			}
		}
	})
	return value, err
}

func pgMessage(typ byte, body func([]byte) []byte) []byte {
	var b []byte
	if typ != 0 {
		b = append(b, typ)
	}
	at := len(b)
	b = append(b, 0, 0, 0, 0)
	b = body(b)
	binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at))
	return b
}

func pgReadUntil(r io.Reader, until byte, each func(byte, []byte)) error {
	for {
		var hdr [5]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return err
		}
		body := make([]byte, binary.BigEndian.Uint32(hdr[1:])-4)
		if _, err := io.ReadFull(r, body); err != nil {
			return err
		}
		if hdr[0] == 'E' {
			return errors.New("postgres error: " + strings.ReplaceAll(string(body), "\x00", " "))
		}
		if each != nil {
			each(hdr[0], body)
		}
		if hdr[0] == until {
			return nil
		}
	}
}
