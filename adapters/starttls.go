package adapters

import (
	"bufio"
	"errors"
	"io"
	"net"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/transport"
)

// ErrPipelinedPlaintext refuses a STARTTLS upgrade when plaintext arrived
// after the STARTTLS command (server side) or its answer (client side) and
// before TLS: bytes an attacker injected there would otherwise be taken as
// if they had come over TLS (CVE-2011-0411 and its kin).
var ErrPipelinedPlaintext = errors.New("adapters: plaintext pipelined after STARTTLS; refusing the upgrade")

// StartTLSServer upgrades nc, the server side of a plaintext dialogue that
// has just answered STARTTLS, to TLS. br is the reader the dialogue used (nil
// if none): a ClientHello it already buffered is kept and fed to TLS; any
// other buffered byte is plaintext injected before TLS and refused.
func StartTLSServer(nc net.Conn, br *bufio.Reader, cfg *engine.Config) (*Conn, error) {
	early, err := takeBuffered(br)
	if err != nil {
		return nil, err
	}
	if len(early) > 0 && !looksLikeTLSHandshake(early) {
		return nil, ErrPipelinedPlaintext
	}
	return Server(withPrefix(nc, early), cfg)
}

// StartTLSClient upgrades nc, the client side of a plaintext dialogue whose
// STARTTLS the server has just accepted, to TLS. A server speaks only after
// our ClientHello, so any byte br already buffered is refused.
func StartTLSClient(nc net.Conn, br *bufio.Reader, cfg *engine.Config) (*Conn, error) {
	early, err := takeBuffered(br)
	if err != nil {
		return nil, err
	}
	if len(early) > 0 {
		return nil, ErrPipelinedPlaintext
	}
	return Client(nc, cfg)
}

func takeBuffered(br *bufio.Reader) ([]byte, error) {
	if br == nil || br.Buffered() == 0 {
		return nil, nil
	}
	b := make([]byte, br.Buffered())
	_, err := io.ReadFull(br, b)
	return b, err
}

// looksLikeTLSHandshake reports whether b starts like a TLS handshake record.
func looksLikeTLSHandshake(b []byte) bool {
	return b[0] == 22 && (len(b) < 2 || b[1] == 3)
}

// prefixed is a net.Conn whose first reads return bytes already taken from it.
type prefixed struct {
	net.Conn
	prefix []byte
}

func withPrefix(nc net.Conn, prefix []byte) transport.Transport {
	if len(prefix) == 0 {
		return nc
	}
	return &prefixed{Conn: nc, prefix: prefix}
}

func (p *prefixed) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// CloseWrite half-closes the connection when it can.
func (p *prefixed) CloseWrite() error {
	if cw, ok := p.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
