package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/securepairtest/certgen"
)

type sniFlag []string

func (s *sniFlag) String() string     { return strings.Join(*s, " ") }
func (s *sniFlag) Set(v string) error { *s = append(*s, v); return nil }

// runServer is the seed's echo server: "welcome!" then echo, per
// connection, until interrupted.
func runServer(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return serveUntil(ctx, args, stdout, stderr)
}

// serveUntil is runServer until ctx ends.
func serveUntil(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var tf tlsFlags
	tf.register(fs)
	listen := fs.String("listen", "127.0.0.1:8000", "`address` to listen on")
	requestCert := fs.Bool("request-cert", false, "ask clients for a certificate (Node's requestCert)")
	reject := fs.Bool("reject-unauthorized", false, "refuse clients whose certificate does not verify against -ca (Node's rejectUnauthorized)")
	mode := fs.String("mode", "echo", "echo: welcome and echo; http: serve HTTP/2 and HTTP/1.1, a page showing what was negotiated")
	loop := fs.String("loop", "net", "net: a goroutine per connection (adapters.Conn); gnet: gnet's event loops, no goroutine per connection (echo only)")
	starttls := fs.String("starttls", "", "speak smtp, imap or pop3 in plaintext first and upgrade on STARTTLS")
	earlyData := fs.Uint("early-data", 0, "accept up to `N` bytes of TLS 1.3 0-RTT data per connection (with a replay guard)")
	store := fs.String("store", "memory", "where tickets keys, TLS 1.2 sessions and 0-RTT records live: memory (this process), or a `URL` redis://host:port/db (rediss:// for TLS) shared by a fleet of servers")
	sessionContext := fs.String("session-context", "securepair", "TLS 1.2 sessions are resumed only under the same `context` (Node's sessionIdContext)")
	var sni sniFlag
	fs.Var(&sni, "sni", "`NAME=CERT,KEY` certificate for one server name (repeatable; *.example.com allowed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := &engine.Config{
		ServerSessionCache: engine.NewServerSessionCache(1024),
		TicketKeys:         engine.NewTicketKeys(time.Hour, 4),
		SessionIDContext:   []byte(*sessionContext),
	}
	if err := tf.apply(cfg); err != nil {
		return err
	}
	if len(cfg.Certificates) == 0 {
		cert, err := ephemeralCertificate()
		if err != nil {
			return err
		}
		cfg.Certificates = []tls.Certificate{cert}
		fmt.Fprintf(stderr, "ephemeral certificate for localhost and 127.0.0.1 (from a throwaway CA), SHA-256 fingerprint %s\n", fingerprint(cert.Certificate[0]))
	}
	if *earlyData > 0 {
		cfg.MaxEarlyData = uint32(*earlyData)
		cfg.EarlyDataGuard = engine.NewReplayGuard(0)
	}
	if err := applySNI(cfg, sni, tf.passphrase); err != nil {
		return err
	}
	if err := applyStore(cfg, *store, stderr); err != nil {
		return err
	}
	pool, err := tf.caPool()
	if err != nil {
		return err
	}
	cfg.ClientCAs = pool
	switch {
	case *reject:
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	case *requestCert:
		cfg.ClientAuth = tls.RequestClientCert
	}
	if *mode != "echo" && *mode != "http" {
		return fmt.Errorf("-mode: %q; use echo or http", *mode)
	}
	proto := adapters.Protocol(*starttls)
	if proto != "" && proto != adapters.SMTP && proto != adapters.IMAP && proto != adapters.POP3 {
		return fmt.Errorf("-starttls: %q; use smtp, imap or pop3", *starttls)
	}
	switch {
	case *mode == "http" && (proto != "" || *loop != "net"):
		return errors.New("-mode http: serves on -loop net without -starttls")
	case *mode == "http":
		return serveHTTP(ctx, *listen, cfg, stdout, stderr)
	case *loop == "gnet" && proto != "":
		return errors.New("-loop gnet: serves without -starttls")
	case *loop == "gnet":
		return serveGnet(ctx, *listen, cfg, stdout, stderr)
	case *loop != "net":
		return fmt.Errorf("-loop: %q; use net or gnet", *loop)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "server bound")
	fmt.Fprintf(stderr, "listening on %s\n", ln.Addr())
	go func() { <-ctx.Done(); ln.Close() }()
	for {
		nc, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		go serveConn(nc, cfg, proto, stdout, stderr)
	}
}

func applySNI(cfg *engine.Config, entries []string, passphrase string) error {
	if len(entries) == 0 {
		return nil
	}
	byName := engine.CertificatesByName{}
	for _, e := range entries {
		name, files, ok := strings.Cut(e, "=")
		certFile, keyFile, ok2 := strings.Cut(files, ",")
		if !ok || !ok2 {
			return fmt.Errorf("-sni %q: want NAME=CERT,KEY", e)
		}
		cert, err := loadKeyPair(certFile, keyFile, passphrase)
		if err != nil {
			return fmt.Errorf("-sni %s: %w", name, err)
		}
		byName[strings.ToLower(name)] = &cert
	}
	cfg.GetCertificate = byName.GetCertificate
	return nil
}

func serveConn(nc net.Conn, cfg *engine.Config, proto adapters.Protocol, stdout, stderr io.Writer) {
	defer nc.Close()
	var conn *adapters.Conn
	var err error
	if proto != "" {
		conn, err = adapters.AcceptStartTLS(nc, proto, "localhost", cfg)
	} else {
		conn, err = adapters.Server(nc, cfg)
	}
	if err == nil {
		conn.OnEvent = func(ev engine.Event) {
			if ev.Kind == engine.EventStoreFailed {
				fmt.Fprintf(stderr, "server: %v (full handshake, no 0-RTT)\n", ev.Err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = conn.Handshake(ctx)
		cancel()
	}
	if err != nil {
		fmt.Fprintf(stderr, "server handshake failed: %v\n", err)
		return
	}
	defer conn.Close()
	st := conn.EngineState()
	fmt.Fprintln(stdout, authorizedLine("server", st))
	fmt.Fprintf(stdout, "ja4: %s\nja3: %s\n", st.Fingerprint.JA4, st.Fingerprint.JA3Hash) // who is connecting
	if early := conn.EarlyData(); len(early) > 0 {
		fmt.Fprintf(stdout, "server early data: %q\n", early)
	}
	switch {
	case proto == adapters.SMTP:
		err = smtpSession(conn)
	default:
		if proto == "" {
			if _, err = io.WriteString(conn, "welcome!\n"); err != nil {
				break
			}
		}
		_, err = io.Copy(conn, conn)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintf(stderr, "server connection: %v\n", err)
	}
}

// smtpSession is a minimal SMTP server after STARTTLS: enough for clients to
// greet, send a message (discarded) and quit.
func smtpSession(conn *adapters.Conn) error {
	br := bufio.NewReader(conn)
	reply := func(s string) error { _, err := io.WriteString(conn, s+"\r\n"); return err }
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return err
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO":
			err = reply("250-localhost\r\n250-8BITMIME\r\n250 HELP")
		case "HELO":
			err = reply("250 localhost")
		case "MAIL", "RCPT", "RSET", "NOOP":
			err = reply("250 2.0.0 OK")
		case "HELP":
			err = reply("214 2.0.0 securepair test server")
		case "VRFY":
			err = reply("252 2.0.0 cannot verify")
		case "DATA":
			if err = reply("354 end with <CRLF>.<CRLF>"); err != nil {
				return err
			}
			for {
				l, err := br.ReadString('\n')
				if err != nil {
					return err
				}
				if strings.TrimRight(l, "\r\n") == "." {
					break
				}
			}
			err = reply("250 2.0.0 message accepted (and discarded)")
		case "QUIT":
			return reply("221 2.0.0 Bye")
		case "STARTTLS":
			err = reply("503 5.5.1 TLS already active")
		default:
			err = reply("502 5.5.2 command not implemented")
		}
		if err != nil {
			return err
		}
	}
}

// ephemeralCertificate makes a certificate from a throwaway CA for localhost and
// 127.0.0.1, valid for a day.
func ephemeralCertificate() (tls.Certificate, error) {
	ca, err := certgen.NewCAValid("securepair ephemeral", time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
	if err != nil {
		return tls.Certificate{}, err
	}
	return ca.Leaf(certgen.ECDSAP256, []string{"localhost", "127.0.0.1"}, certgen.LeafOptions{
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)})
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
