package securepairtest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lineServer is a tiny line protocol with a planted bug, the fuzzing
// example: "SET key value" keeps a value, "GET key" answers it. Values are
// copied into an 8-byte slot without a length check, so a longer value
// panics the server.
func lineServer(received []byte, reply io.Writer) {
	values := map[string][8]byte{}
	sc := bufio.NewScanner(bytes.NewReader(received))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "SET":
			var slot [8]byte
			copy(slot[:len(f[2])], f[2]) // the planted bug: no check that the value fits
			values[f[1]] = slot
			fmt.Fprintln(reply, "OK")
		case len(f) == 2 && f[0] == "GET":
			v := values[f[1]]
			fmt.Fprintf(reply, "%s\n", bytes.TrimRight(v[:], "\x00"))
		default:
			fmt.Fprintln(reply, "ERR")
		}
	}
}

// The line protocol fuzzed with TLS in the loop: the request is the
// client's application payload, the answer comes back through TLS.
func FuzzLineProtocol(f *testing.F) {
	f.Add([]byte("SET a 1\nGET a\n"))
	f.Add([]byte("SET key 12345678\nGET key\n")) // the longest value that fits
	f.Add([]byte("GET b\n"))
	f.Fuzz(func(t *testing.T, request []byte) {
		answer := Exchange(t, 1, request, lineServer)
		if want := bytes.Count(request, []byte("\n")); bytes.Count(answer, []byte("\n")) < want {
			t.Fatalf("%d answers to %d lines", bytes.Count(answer, []byte("\n")), want)
		}
	})
}

// The seed corpus passes through TLS and gets its answers.
func TestLineProtocolOverTLS(t *testing.T) {
	if got := Exchange(t, 1, []byte("SET a 1\nGET a\n"), lineServer); string(got) != "OK\n1\n" {
		t.Fatalf("got %q", got)
	}
}

// go test -fuzz finds the planted bug through TLS within the budget: the
// fuzzer (a child go test) fails with the panic, and writes the input.
func TestFuzzFindsPlantedBug(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the fuzzer")
	}
	corpus := filepath.Join("testdata", "fuzz", "FuzzLineProtocol")
	before, _ := os.ReadDir(corpus)
	t.Cleanup(func() { // keep only what was there: the finding is the test's, not the repository's
		after, _ := os.ReadDir(corpus)
		for _, e := range after {
			if !containsEntry(before, e.Name()) {
				os.Remove(filepath.Join(corpus, e.Name()))
			}
		}
		if len(before) == 0 {
			os.Remove(corpus)
			os.Remove(filepath.Dir(corpus))
			os.Remove("testdata")
		}
	})
	cmd := exec.Command("go", "test", "-run", "^$", "-fuzz", "^FuzzLineProtocol$", "-fuzztime", "90s", ".")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the fuzzer did not find the planted bug in 90 s:\n%s", out)
	}
	if !strings.Contains(string(out), "slice bounds out of range") || !strings.Contains(string(out), "Failing input written to") {
		t.Fatalf("the fuzzer failed otherwise:\n%s", out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "elapsed") || strings.Contains(line, "Failing input") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

func containsEntry(entries []os.DirEntry, name string) bool {
	for _, e := range entries {
		if e.Name() == name {
			return true
		}
	}
	return false
}
