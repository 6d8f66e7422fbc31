package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// runClient is a small openssl s_client: stdin to the peer, the peer to
// stdout, what was negotiated on stderr.
func runClient(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("client", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf tlsFlags
	tf.register(fs)
	connect := fs.String("connect", "", "`HOST:PORT` to connect to (required unless -get)")
	get := fs.String("get", "", "fetch `URL` over HTTP/2 or HTTP/1.1 (as ALPN decides), like curl -v: TLS and response head on stderr, body on stdout")
	servername := fs.String("servername", "", "server name to send and verify (default: HOST of -connect)")
	insecure := fs.Bool("insecure", false, "finish the handshake even if the server certificate does not verify, and report it")
	hello := fs.String("hello", "default", "ClientHello `shape`: default, chrome, firefox, safari, ios, edge, go, randomized, or any uTLS ClientHelloID name (list: print them)")
	starttls := fs.String("starttls", "", "speak smtp, imap, pop3 or postgres in plaintext first and upgrade")
	timeout := fs.Duration("timeout", 30*time.Second, "bound on connecting and the handshake")
	printJA4 := fs.Bool("print-ja4", false, "print our own ClientHello's JA4 (and JA3) fingerprint")
	reconnect := fs.Bool("reconnect", false, "connect, close, then connect again resuming the session (like s_client -reconnect)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *hello == "list" {
		fmt.Fprintln(stdout, strings.Join(helloNames(), "\n"))
		return nil
	}
	if *get != "" && (*connect != "" || *starttls != "" || *reconnect) {
		return fmt.Errorf("-get and -connect, -starttls or -reconnect do not go together")
	}
	if *get == "" && *connect == "" {
		return fmt.Errorf("-connect HOST:PORT is required")
	}
	cfg, err := clientConfig(&tf, *insecure, *hello)
	if err != nil {
		return err
	}
	cfg.ServerName = *servername // -get: from the URL when empty
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if *get != "" {
		return runGet(ctx, *get, cfg, stdout, stderr)
	}
	host, _, err := net.SplitHostPort(*connect)
	if err != nil {
		return fmt.Errorf("-connect: %w", err)
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}

	cfg.ClientSessionCache = engine.NewClientSessionCache(8)
	if *reconnect {
		first, err := dial(ctx, *connect, adapters.Protocol(*starttls), cfg)
		if err != nil {
			return err
		}
		report(stderr, first.EngineState())
		// TLS 1.3 tickets come after the handshake: read briefly so they arrive.
		first.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		first.Read(make([]byte, 1))
		first.Close()
	}
	conn, err := dial(ctx, *connect, adapters.Protocol(*starttls), cfg)
	if err != nil {
		return err
	}
	defer conn.Close()
	report(stderr, conn.EngineState())
	if *printJA4 {
		fp := conn.EngineState().Fingerprint
		fmt.Fprintf(stderr, "ja4: %s\nja4_r: %s\nja3: %s %s\n", fp.JA4, fp.JA4Raw, fp.JA3Hash, fp.JA3)
	}

	go func() {
		io.Copy(conn, stdin)
		conn.CloseWrite() // close_notify once stdin ends
	}()
	_, err = io.Copy(stdout, conn)
	return err
}

// clientConfig is the client Config the flags describe, without a server
// name.
func clientConfig(tf *tlsFlags, insecure bool, hello string) (*engine.Config, error) {
	cfg := &engine.Config{InsecureAcceptUnauthorized: insecure}
	if err := tf.apply(cfg); err != nil {
		return nil, err
	}
	var err error
	if cfg.RootCAs, err = tf.caPool(); err != nil {
		return nil, err
	}
	if cfg.ClientHelloID, err = helloID(hello); err != nil {
		return nil, err
	}
	return cfg, nil
}

func dial(ctx context.Context, addr string, proto adapters.Protocol, cfg *engine.Config) (*adapters.Conn, error) {
	if proto == "" {
		return adapters.DialContext(ctx, "tcp", addr, cfg)
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		nc.SetDeadline(deadline)
	}
	conn, err := adapters.DialStartTLS(nc, proto, cfg)
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return conn, nil
}

// report prints the seed's line and one line per negotiated parameter.
func report(w io.Writer, st engine.ConnectionState) {
	fmt.Fprintln(w, authorizedLine("client", st))
	fmt.Fprintf(w, "version: %s\ncipher: %s\ngroup: %s\nalpn: %s\nnpn: %s\nservername: %s\nresumed: %s\npeer signature: %s\nlocal signature: %s\n",
		versionName(st.Version), engine.SuiteName(st.CipherSuite), engine.GroupName(uint16(st.Group)),
		orNone(st.NegotiatedProtocol), orNone(st.NPNProtocol), orNone(st.ServerName), yesNo(st.DidResume),
		schemeOrNone(st.PeerSignatureScheme), schemeOrNone(st.LocalSignatureScheme))
}

func schemeOrNone(s uint16) string {
	if s == 0 {
		return "none"
	}
	return engine.SignatureSchemeName(s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
