package interop

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The key log (SSLKEYLOGFILE format) lets tshark decrypt a captured session
// of ours to its application data, at TLS 1.3 and TLS 1.2.
func TestKeyLogDecryptsWithTshark(t *testing.T) {
	need(t, "tshark")
	for _, version := range []string{"1.3", "1.2"} {
		t.Run("TLS "+version, func(t *testing.T) {
			dir := t.TempDir()
			capture, keys := dir+"/session.pcapng", dir+"/keys.log"
			_, addr := startServer(t, "-max-version", version)
			shark := start(t, "tshark", "-i", "lo", "-f", "tcp port "+port(addr), "-w", capture)
			shark.waitFor(t, "Capture started")
			out, err := ourClient(t, "a secret for tshark\n", "-connect", addr, "-servername", "localhost",
				"-ca", certFile("ca.pem"), "-keylog", keys)
			if err != nil || !strings.Contains(out, "a secret for tshark") {
				t.Fatalf("%v\n%s", err, out)
			}
			time.Sleep(300 * time.Millisecond) // let the last packets reach the capture
			shark.cmd.Process.Signal(syscall.SIGINT)
			shark.wait(t)
			read, err := exec.Command("tshark", "-r", capture, "-o", "tls.keylog_file:"+keys, "-q",
				"-z", "follow,tls,ascii,0").CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, read)
			}
			for _, want := range []string{"welcome!", "a secret for tshark"} {
				if !strings.Contains(string(read), want) {
					t.Fatalf("tshark did not decrypt %q:\n%s", want, read)
				}
			}
		})
	}
}
