package engine

import (
	"bytes"
	"errors"
	"github.com/securepair/securepair/engine/internal/machine"
	"testing"

	"github.com/securepair/securepair/record"
)

// With application keys installed but the handshake not yet complete (TLS
// 1.2 between the peer's CCS and its Finished), application data is refused.
func TestApplicationDataBeforeFinishedRefused(t *testing.T) {
	key, iv := bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 4)
	seal, _ := record.NewProtector12(record.AES128GCM, key, iv)
	open, _ := record.NewProtector12(record.AES128GCM, key, iv)
	e := &Engine{readProt: open, readLevel: machine.LevelApplication}
	rec, _ := seal.Seal(nil, record.TypeApplicationData, []byte("too early"), 0)
	_, err := e.Encrypted().Write(rec)
	var ae *AlertError
	if !errors.As(err, &ae) || ae.Alert != record.AlertUnexpectedMessage {
		t.Fatalf("got %v, want unexpected_message", err)
	}
	if e.Cleartext().Buffered() != 0 {
		t.Fatal("the data was delivered")
	}
}
