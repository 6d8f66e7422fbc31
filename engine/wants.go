package engine

import (
	"strings"

	"github.com/securepair/securepair/record"
)

// Wants is what an Engine needs from its caller now: a set of bits, several
// of which can hold at once (like h11's NEED_DATA and PAUSED). After any call
// on the engine, Wants tells what to do next; a caller that does every
// action it names never stalls an engine.
type Wants uint8

const (
	// WantsInput: the engine takes ciphertext from the peer now
	// (Encrypted().Write or Fill). Not set once the peer closed or the
	// connection failed, nor while input is paused.
	WantsInput Wants = 1 << iota
	// HasCiphertext: bytes wait to be sent to the peer (Encrypted().Read or
	// WriteTo).
	HasCiphertext
	// HasCleartext: decrypted data waits (Cleartext().Read).
	HasCleartext
	// HasEarlyData: accepted 0-RTT data waits (ReadEarlyData, server).
	HasEarlyData
	// HasEvents: events wait (NextEvent).
	HasEvents
	// InputPaused: the engine has stopped processing input until the
	// caller drains what the Has bits name: undelivered cleartext, more
	// than a buffer of ciphertext to send, or a full event queue. Meanwhile
	// Encrypted().Write takes at most one more record and then returns
	// ErrWouldBlock.
	InputPaused
	// Finished: nothing more will come in or go out once HasCiphertext is
	// drained: the connection failed (Err says why) or both sides sent
	// close_notify.
	Finished
)

var wantsNames = []string{"WantsInput", "HasCiphertext", "HasCleartext", "HasEarlyData", "HasEvents", "InputPaused", "Finished"}

// String lists the bits set, such as "WantsInput|HasCiphertext".
func (w Wants) String() string {
	var names []string
	for i, name := range wantsNames {
		if w&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}

// Wants reports what the engine needs from its caller now.
func (e *Engine) Wants() Wants {
	var w Wants
	if e.outPending() > 0 {
		w |= HasCiphertext
	}
	if len(e.plain) > 0 {
		w |= HasCleartext
	}
	if e.early0.Buffered() > 0 {
		w |= HasEarlyData
	}
	if len(e.events) > 0 {
		w |= HasEvents
	}
	switch {
	case e.err != nil || (e.peerClosed && e.closeSent):
		w |= Finished
	case e.peerClosed:
	case e.inputPaused():
		w |= InputPaused
	default:
		w |= WantsInput
	}
	return w
}

// inputPaused is the condition under which process stops reading records:
// it keeps memory bounded whatever the peer sends.
func (e *Engine) inputPaused() bool {
	return len(e.plain) > 0 || e.outPending() > record.BufferSize || len(e.events) >= maxEvents
}
