package securepairtest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/securepair/securepair/engine"
)

// Transcript is a recorded session: the seed, and in order the
// application writes and the bytes on the wire. Written by Pair.Record and
// read by ReadTranscript, it is a golden file a test keeps and replays.
type Transcript struct {
	Seed   uint64
	Chunks []Chunk
}

// transcriptHeader starts a transcript file; the number is its format.
const transcriptHeader = "securepair transcript 1"

// Write records from's application data, then moves it as
// enginetest.Pair.Write does.
func (p *Pair) Write(from *engine.Engine, data []byte) error {
	p.Transcript = append(p.Transcript, Chunk{FromClient: from == p.Client, App: true, Data: bytes.Clone(data)})
	return p.Pair.Write(from, data)
}

// Record writes the pair's transcript: a header, the seed, then one line
// per chunk: "c>" or "s>" for wire bytes from the client or the server,
// "c:" or "s:" for application writes, each followed by hex.
func (p *Pair) Record(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nseed %d\n", transcriptHeader, p.Seed)
	for _, c := range p.Transcript {
		side, kind := "s", ">"
		if c.FromClient {
			side = "c"
		}
		if c.App {
			kind = ":"
		}
		fmt.Fprintf(&b, "%s%s %s\n", side, kind, hex.EncodeToString(c.Data))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ReadTranscript reads what Record wrote.
func ReadTranscript(r io.Reader) (*Transcript, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	if !sc.Scan() || sc.Text() != transcriptHeader {
		return nil, errors.New("securepairtest: not a transcript (format 1)")
	}
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "seed ") {
		return nil, errors.New("securepairtest: transcript without a seed")
	}
	seed, err := strconv.ParseUint(strings.TrimPrefix(sc.Text(), "seed "), 10, 64)
	if err != nil {
		return nil, fmt.Errorf("securepairtest: transcript seed: %w", err)
	}
	tr := &Transcript{Seed: seed}
	for line := 3; sc.Scan(); line++ {
		tag, data, ok := strings.Cut(sc.Text(), " ")
		raw, err := hex.DecodeString(data)
		if !ok || len(tag) != 2 || (tag[0] != 'c' && tag[0] != 's') || (tag[1] != '>' && tag[1] != ':') || err != nil {
			return nil, fmt.Errorf("securepairtest: transcript line %d is malformed", line)
		}
		tr.Chunks = append(tr.Chunks, Chunk{FromClient: tag[0] == 'c', App: tag[1] == ':', Data: raw})
	}
	return tr, sc.Err()
}

// Replay runs a new pair from the transcript's seed (made with opts, which
// must be the recording's) through the recorded application writes, and
// checks that each side sends the recorded bytes, feeding each the
// recorded bytes of the other. A difference is a *Mismatch, which decodes
// the first message that changed.
func Replay(t *testing.T, tr *Transcript, opts ...Option) error {
	t.Helper()
	return tr.ReplayOn(NewPair(t, tr.Seed, opts...))
}

// ReplayOn is Replay on a pair the caller made from the transcript's seed
// (MakePair, outside a test).
func (tr *Transcript) ReplayOn(p *Pair) error {
	for i, c := range tr.Chunks {
		from, to := p.Server, p.Client
		if c.FromClient {
			from, to = p.Client, p.Server
		}
		if c.App {
			if _, err := from.Cleartext().Write(c.Data); err != nil && !errors.Is(err, engine.ErrWouldBlock) {
				return fmt.Errorf("chunk %d: writing: %w", i, err)
			}
			continue
		}
		got := make([]byte, len(c.Data)+1) // one more: a longer output differs too
		n, _ := from.Encrypted().Read(got)
		if !bytes.Equal(got[:n], c.Data) {
			return &Mismatch{Chunk: i, FromClient: c.FromClient, Recorded: c.Data, Replayed: got[:n]}
		}
		if _, err := to.Encrypted().Write(c.Data); err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			return fmt.Errorf("chunk %d: feeding the recorded bytes: %w", i, err)
		}
		drainAll(to)
	}
	return nil
}

// drainAll reads and drops e's cleartext (the replay checks wire bytes).
func drainAll(e *engine.Engine) {
	buf := make([]byte, 16<<10)
	for {
		if n, _ := e.Cleartext().Read(buf); n == 0 {
			return
		}
	}
}
