package securepairtest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recordSession runs a seeded session (handshake, a request, an answer)
// and writes its transcript to a file.
func recordSession(t *testing.T) string {
	p := NewPair(t, 7)
	if err := p.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(p.Client, []byte("GET /golden\n")); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(p.Server, []byte("200 golden\n")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "session.transcript")
	var buf bytes.Buffer
	if err := p.Record(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func readTranscript(t *testing.T, file string) *Transcript {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := ReadTranscript(f)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// A recorded session replays byte for byte against new engines.
func TestReplayRecordedSession(t *testing.T) {
	tr := readTranscript(t, recordSession(t))
	if len(tr.Chunks) < 6 || tr.Seed != 7 {
		t.Fatalf("transcript of %d chunks, seed %d", len(tr.Chunks), tr.Seed)
	}
	if err := Replay(t, tr); err != nil {
		t.Fatal(err)
	}
}

// One byte changed in the recorded ClientHello (in its server_name) fails
// the replay at the client's first flight, with the decoded extension that
// differs, not only hex.
func TestReplayDiffOfChangedClientHello(t *testing.T) {
	tr := readTranscript(t, recordSession(t))
	hello := tr.Chunks[0].Data
	at := bytes.Index(hello, []byte(Host))
	if !tr.Chunks[0].FromClient || at < 0 {
		t.Fatal("the first chunk is not the ClientHello with the server name")
	}
	hello[at] = 'q' // "qair.test"
	err := Replay(t, tr)
	var m *Mismatch
	if !errors.As(err, &m) || m.Chunk != 0 || !m.FromClient {
		t.Fatalf("replay: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"- recorded: extension server_name: qair.test", "+ replayed: extension server_name: pair.test", "after: cipher suites TLS_AES_128_GCM_SHA256", "in: ClientHello"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("the diff lacks %q:\n%s", want, msg)
		}
	}
	t.Logf("the diff:\n%s", msg)
}

// Transcripts that are not ours, or damaged, are refused.
func TestReadTranscriptRefusesDamage(t *testing.T) {
	for _, bad := range []string{"", "securepair transcript 2\nseed 1\n", "securepair transcript 1\n", "securepair transcript 1\nseed x\n",
		"securepair transcript 1\nseed 1\nx> 00\n", "securepair transcript 1\nseed 1\nc> zz\n"} {
		if _, err := ReadTranscript(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
