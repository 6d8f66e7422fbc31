package adapters

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/securepair/securepair/engine"
)

// Protocol names a plaintext protocol with a STARTTLS upgrade.
type Protocol string

// The protocols with ready-made STARTTLS dialogues.
const (
	SMTP     Protocol = "smtp"     // RFC 3207
	IMAP     Protocol = "imap"     // RFC 2595
	POP3     Protocol = "pop3"     // RFC 2595, STLS
	Postgres Protocol = "postgres" // PostgreSQL SSLRequest
)

// DialStartTLS runs the client side of proto's plaintext dialogue on nc up to
// the upgrade, then the TLS handshake. For SMTP, cfg.ServerName (or
// "localhost") is sent in EHLO.
func DialStartTLS(nc net.Conn, proto Protocol, cfg *engine.Config) (*Conn, error) {
	br := bufio.NewReader(nc)
	var err error
	switch proto {
	case SMTP:
		err = smtpClient(nc, br, cfg.ServerName)
	case IMAP:
		err = imapClient(nc, br)
	case POP3:
		err = pop3Client(nc, br)
	case Postgres:
		err = postgresClient(nc, br)
	default:
		err = fmt.Errorf("adapters: no STARTTLS dialogue for %q", proto)
	}
	if err != nil {
		return nil, err
	}
	c, err := StartTLSClient(nc, br, cfg)
	if err != nil {
		return nil, err
	}
	if err := c.Handshake(context.Background()); err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptStartTLS runs the server side of proto's plaintext dialogue on nc up
// to the client's STARTTLS, answers it, and returns the TLS connection (the
// handshake runs on first use). hostname is used in greetings.
func AcceptStartTLS(nc net.Conn, proto Protocol, hostname string, cfg *engine.Config) (*Conn, error) {
	br := bufio.NewReader(nc)
	var err error
	switch proto {
	case SMTP:
		err = smtpServer(nc, br, hostname)
	case IMAP:
		err = imapServer(nc, br, hostname)
	case POP3:
		err = pop3Server(nc, br, hostname)
	case Postgres:
		err = postgresServer(nc, br)
	default:
		err = fmt.Errorf("adapters: no STARTTLS dialogue for %q", proto)
	}
	if err != nil {
		return nil, err
	}
	return StartTLSServer(nc, br, cfg)
}

// DialogueError is a peer's unexpected answer in a plaintext dialogue.
type DialogueError struct {
	Protocol Protocol
	Line     string
}

// Error says which peer answered what.
func (e *DialogueError) Error() string {
	return fmt.Sprintf("adapters: %s peer answered %q", e.Protocol, e.Line)
}

func readLine(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if len(line) > 4096 {
		return "", fmt.Errorf("adapters: dialogue line too long")
	}
	return strings.TrimRight(line, "\r\n"), err
}

func writeLine(w io.Writer, s string) error {
	_, err := io.WriteString(w, s+"\r\n")
	return err
}

// smtpReply reads one (possibly multi-line) SMTP reply and its lines.
func smtpReply(br *bufio.Reader) (code string, lines []string, err error) {
	for {
		line, err := readLine(br)
		if err != nil {
			return "", lines, err
		}
		if len(line) < 3 {
			return "", lines, &DialogueError{SMTP, line}
		}
		lines = append(lines, line)
		if len(line) == 3 || line[3] != '-' {
			return line[:3], lines, nil
		}
	}
}

func smtpClient(w io.Writer, br *bufio.Reader, name string) error {
	if name == "" {
		name = "localhost"
	}
	if code, lines, err := smtpReply(br); err != nil || code != "220" {
		return dialogueErr(SMTP, lines, err)
	}
	if err := writeLine(w, "EHLO "+name); err != nil {
		return err
	}
	code, lines, err := smtpReply(br)
	if err != nil || code != "250" {
		return dialogueErr(SMTP, lines, err)
	}
	offered := false
	for _, l := range lines {
		offered = offered || strings.EqualFold(strings.TrimSpace(l[4:]), "STARTTLS")
	}
	if !offered {
		return fmt.Errorf("adapters: SMTP server does not offer STARTTLS")
	}
	if err := writeLine(w, "STARTTLS"); err != nil {
		return err
	}
	if code, lines, err := smtpReply(br); err != nil || code != "220" {
		return dialogueErr(SMTP, lines, err)
	}
	return nil
}

func dialogueErr(p Protocol, lines []string, err error) error {
	if err != nil {
		return fmt.Errorf("adapters: %s dialogue: %w", p, err)
	}
	return &DialogueError{p, strings.Join(lines, " | ")}
}

// smtpServer greets, answers EHLO/HELO/NOOP/RSET/QUIT, refuses mail before
// TLS, and returns once STARTTLS has been accepted.
func smtpServer(w io.Writer, br *bufio.Reader, host string) error {
	if err := writeLine(w, "220 "+host+" ESMTP securepair"); err != nil {
		return err
	}
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		var reply string
		switch verb {
		case "EHLO":
			reply = "250-" + host + "\r\n250-PIPELINING\r\n250 STARTTLS"
		case "HELO":
			reply = "250 " + host
		case "NOOP", "RSET":
			reply = "250 2.0.0 OK"
		case "QUIT":
			writeLine(w, "221 2.0.0 Bye")
			return io.EOF
		case "STARTTLS":
			return writeLine(w, "220 2.0.0 Ready to start TLS")
		default:
			reply = "530 5.7.0 Must issue a STARTTLS command first"
		}
		if err := writeLine(w, reply); err != nil {
			return err
		}
	}
}

func imapClient(w io.Writer, br *bufio.Reader) error {
	greeting, err := readLine(br)
	if err != nil || !strings.HasPrefix(greeting, "* OK") {
		return dialogueErr(IMAP, []string{greeting}, err)
	}
	if err := writeLine(w, "a1 STARTTLS"); err != nil {
		return err
	}
	for {
		line, err := readLine(br)
		if err != nil {
			return dialogueErr(IMAP, nil, err)
		}
		if strings.HasPrefix(line, "a1 ") {
			if strings.HasPrefix(line, "a1 OK") {
				return nil
			}
			return &DialogueError{IMAP, line}
		}
	}
}

// imapServer answers CAPABILITY, NOOP and LOGOUT, refuses the rest before
// TLS, and returns once STARTTLS has been accepted.
func imapServer(w io.Writer, br *bufio.Reader, host string) error {
	if err := writeLine(w, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] "+host+" securepair ready"); err != nil {
		return err
	}
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			if err := writeLine(w, "* BAD missing tag or command"); err != nil {
				return err
			}
			continue
		}
		tag, cmd := f[0], strings.ToUpper(f[1])
		var reply string
		switch cmd {
		case "CAPABILITY":
			reply = "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n" + tag + " OK CAPABILITY completed"
		case "NOOP":
			reply = tag + " OK NOOP completed"
		case "LOGOUT":
			writeLine(w, "* BYE logging out\r\n"+tag+" OK LOGOUT completed")
			return io.EOF
		case "STARTTLS":
			return writeLine(w, tag+" OK Begin TLS negotiation now")
		default:
			reply = tag + " BAD STARTTLS first"
		}
		if err := writeLine(w, reply); err != nil {
			return err
		}
	}
}

func pop3Client(w io.Writer, br *bufio.Reader) error {
	greeting, err := readLine(br)
	if err != nil || !strings.HasPrefix(greeting, "+OK") {
		return dialogueErr(POP3, []string{greeting}, err)
	}
	if err := writeLine(w, "STLS"); err != nil {
		return err
	}
	line, err := readLine(br)
	if err != nil || !strings.HasPrefix(line, "+OK") {
		return dialogueErr(POP3, []string{line}, err)
	}
	return nil
}

// pop3Server answers CAPA, NOOP and QUIT, refuses the rest before TLS, and
// returns once STLS has been accepted.
func pop3Server(w io.Writer, br *bufio.Reader, host string) error {
	if err := writeLine(w, "+OK "+host+" securepair POP3 ready"); err != nil {
		return err
	}
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		var reply string
		switch strings.ToUpper(strings.Fields(line + " x")[0]) {
		case "CAPA":
			reply = "+OK capabilities follow\r\nSTLS\r\nUSER\r\n."
		case "NOOP":
			reply = "+OK"
		case "QUIT":
			writeLine(w, "+OK bye")
			return io.EOF
		case "STLS":
			return writeLine(w, "+OK Begin TLS negotiation")
		default:
			reply = "-ERR STLS first"
		}
		if err := writeLine(w, reply); err != nil {
			return err
		}
	}
}

// postgresSSLRequest is the SSLRequest code of the PostgreSQL protocol.
const postgresSSLRequest = 80877103

func postgresClient(w io.Writer, br *bufio.Reader) error {
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:], 8)
	binary.BigEndian.PutUint32(req[4:], postgresSSLRequest)
	if _, err := w.Write(req[:]); err != nil {
		return err
	}
	answer, err := br.ReadByte()
	if err != nil {
		return dialogueErr(Postgres, nil, err)
	}
	if answer != 'S' {
		return &DialogueError{Postgres, fmt.Sprintf("%q (server refuses TLS)", answer)}
	}
	return nil
}

func postgresServer(w io.Writer, br *bufio.Reader) error {
	var req [8]byte
	if _, err := io.ReadFull(br, req[:]); err != nil {
		return err
	}
	if binary.BigEndian.Uint32(req[0:]) != 8 || binary.BigEndian.Uint32(req[4:]) != postgresSSLRequest {
		return &DialogueError{Postgres, fmt.Sprintf("%x (not an SSLRequest)", req)}
	}
	_, err := w.Write([]byte{'S'})
	return err
}
