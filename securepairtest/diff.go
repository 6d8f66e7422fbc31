package securepairtest

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/handshake"
)

// Mismatch is a replay whose bytes differ from the recording at a chunk.
// Its message decodes both sides' records and handshake messages and shows
// the first line that differs.
type Mismatch struct {
	Chunk              int
	FromClient         bool
	Recorded, Replayed []byte
}

func (m *Mismatch) Error() string {
	rec, rep := describeFlight(m.Recorded), describeFlight(m.Replayed)
	i := 0
	for i < len(rec) && i < len(rep) && rec[i] == rep[i] {
		i++
	}
	side := "server"
	if m.FromClient {
		side = "client"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "securepairtest: replay differs at chunk %d (%s to peer, %d bytes recorded, %d replayed)\n",
		m.Chunk, side, len(m.Recorded), len(m.Replayed))
	for j := min(i, len(rec)) - 1; j >= 0; j-- { // the message the line belongs to
		if strings.HasPrefix(rec[j], "  ") && !strings.HasPrefix(rec[j], "    ") {
			fmt.Fprintf(&b, "    in: %s\n", strings.TrimSpace(rec[j]))
			break
		}
	}
	if i > 0 {
		fmt.Fprintf(&b, "    after: %s\n", strings.TrimSpace(rec[i-1]))
	}
	fmt.Fprintf(&b, "  - recorded: %s\n  + replayed: %s", strings.TrimSpace(lineOr(rec, i)), strings.TrimSpace(lineOr(rep, i)))
	return b.String()
}

func lineOr(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(nothing more)"
}

var messageNames = map[byte]string{1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket", 8: "EncryptedExtensions",
	11: "Certificate", 12: "ServerKeyExchange", 13: "CertificateRequest", 14: "ServerHelloDone", 15: "CertificateVerify",
	16: "ClientKeyExchange", 20: "Finished", 24: "KeyUpdate"}

var recordNames = map[byte]string{20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data"}

// describeFlight is one line per fact of a flight: each record's header,
// and each plaintext handshake message decoded as far as we read them.
func describeFlight(data []byte) []string {
	var lines []string
	for n := 1; len(data) > 0; n++ {
		if len(data) < 5 {
			return append(lines, fmt.Sprintf("record %d: %d stray bytes %x", n, len(data), data))
		}
		length := int(data[3])<<8 | int(data[4])
		body := data[5:min(len(data), 5+length)]
		lines = append(lines, fmt.Sprintf("record %d: %s, version %#04x, %d bytes", n, name(recordNames, data[0]), uint16(data[1])<<8|uint16(data[2]), length))
		if data[0] == 22 {
			lines = append(lines, describeMessages(body)...)
		} else {
			lines = append(lines, "  "+shortHex(body))
		}
		data = data[5+len(body):]
	}
	return lines
}

// describeMessages decodes the handshake messages in a plaintext record.
func describeMessages(body []byte) []string {
	var lines []string
	for len(body) >= handshake.HeaderLen {
		end := min(len(body), handshake.HeaderLen+handshake.MessageLen(body))
		msg := body[:end]
		lines = append(lines, fmt.Sprintf("  %s, %d bytes", name(messageNames, msg[0]), len(msg)-handshake.HeaderLen))
		switch msg[0] {
		case 1:
			var ch handshake.ClientHello
			if handshake.Unmarshal(msg, &ch) == nil {
				lines = append(lines, describeHello(ch.Version, ch.Random[:], ch.SessionID, ch.CipherSuites, ch.Extensions, clientHelloValue(&ch))...)
				break
			}
			lines = append(lines, "    (does not decode) "+shortHex(msg))
		case 2:
			var sh handshake.ServerHello
			if handshake.Unmarshal(msg, &sh) == nil {
				lines = append(lines, describeHello(sh.Version, sh.Random[:], sh.SessionID, []uint16{sh.CipherSuite}, sh.Extensions, func(uint16) string { return "" })...)
				break
			}
			lines = append(lines, "    (does not decode) "+shortHex(msg))
		default:
			lines = append(lines, "    "+shortHex(msg[handshake.HeaderLen:]))
		}
		body = body[end:]
	}
	return lines
}

// clientHelloValue is the decoded value of a ClientHello extension the
// codec reads, "" for the others (shown in hex).
func clientHelloValue(ch *handshake.ClientHello) func(uint16) string {
	return func(typ uint16) string {
		switch typ {
		case 0:
			return ch.ServerName
		case 16:
			return strings.Join(ch.ALPN, ",")
		case 10:
			names := make([]string, len(ch.SupportedGroups))
			for i, g := range ch.SupportedGroups {
				names[i] = engine.GroupName(g)
			}
			return strings.Join(names, " ")
		case 43:
			return fmt.Sprintf("%#04x", ch.SupportedVersions)
		}
		return ""
	}
}

func describeHello(version uint16, random, sessionID []byte, suites []uint16, exts []handshake.Extension, value func(uint16) string) []string {
	names := make([]string, len(suites))
	for i, s := range suites {
		names[i] = engine.SuiteName(s)
	}
	lines := []string{
		fmt.Sprintf("    version %#04x", version),
		"    random " + hex.EncodeToString(random),
		"    session id " + hex.EncodeToString(sessionID),
		"    cipher suites " + strings.Join(names, " "),
	}
	for _, e := range exts {
		v := value(e.Type)
		if v == "" {
			v = shortHex(e.Data)
		}
		lines = append(lines, fmt.Sprintf("    extension %s: %s", handshake.ExtensionName(e.Type), v))
	}
	return lines
}

func name(names map[byte]string, b byte) string {
	if n, ok := names[b]; ok {
		return n
	}
	return fmt.Sprintf("type %d", b)
}

// shortHex is hex, cut after 48 bytes.
func shortHex(b []byte) string {
	if len(b) > 48 {
		return hex.EncodeToString(b[:48]) + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return hex.EncodeToString(b)
}
