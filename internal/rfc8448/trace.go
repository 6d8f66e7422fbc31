// Package rfc8448 reads the byte-exact example handshakes of RFC 8448 from
// the RFC's own text, so tests compare against the published values.
package rfc8448

import (
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Trace is one section of RFC 8448 as lines of text.
type Trace struct {
	lines []string
}

// Load reads a section saved as plain text.
func Load(path string) (*Trace, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &Trace{lines: strings.Split(string(b), "\n")}, nil
}

var (
	hexLine   = regexp.MustCompile(`^\s+([0-9a-f]{2} ?)+$`)
	pageBreak = regexp.MustCompile(`^(Thomson\s+Informational|RFC 8448\s+TLS 1.3 Traces|\f)`)
)

// Value returns the bytes of field (such as "expanded", "complete record",
// "private key") in the n-th (from 0) step whose heading starts with step
// (such as `{server}  derive secret "tls13 c hs traffic"`).
func (t *Trace) Value(step string, n int, field string) ([]byte, error) {
	at := -1
	for i, l := range t.lines {
		if strings.HasPrefix(strings.TrimSpace(l), step) {
			if n == 0 {
				at = i
				break
			}
			n--
		}
	}
	if at < 0 {
		return nil, fmt.Errorf("rfc8448: no step %q", step)
	}
	for i := at + 1; i < len(t.lines); i++ {
		l := strings.TrimSpace(t.lines[i])
		if strings.HasPrefix(l, "{") {
			break
		}
		if strings.HasPrefix(l, field+" (") {
			return t.collect(l, i)
		}
	}
	return nil, fmt.Errorf("rfc8448: step %q has no field %q", step, field)
}

// collect joins the hex after "field (N octets):" with its continuation
// lines, stepping over page breaks.
func (t *Trace) collect(first string, at int) ([]byte, error) {
	_, rest, _ := strings.Cut(first, "):")
	text := rest
	for i := at + 1; i < len(t.lines); i++ {
		l := t.lines[i]
		switch {
		case hexLine.MatchString(l):
			text += " " + l
		case strings.TrimSpace(l) == "" || pageBreak.MatchString(l):
		default:
			i = len(t.lines)
		}
	}
	return hex.DecodeString(strings.Join(strings.Fields(text), ""))
}

// MustValue is Value for tests: it panics on a missing value.
func (t *Trace) MustValue(step string, n int, field string) []byte {
	v, err := t.Value(step, n, field)
	if err != nil {
		panic(err)
	}
	return v
}
