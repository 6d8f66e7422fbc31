// Package enginetest holds what tests, fuzz targets and benchmarks of the
// engine share: an in-memory client/server pair with hooks on the bytes in
// flight.
package enginetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/securepair/securepair/engine"
)

// Pair is a client engine and a server engine joined in memory. Split, when
// set, cuts each batch of bytes in flight into the chunks that are fed to the
// peer (and may alter them: the tampering hook).
type Pair struct {
	Client, Server *engine.Engine
	// Split receives the bytes one side sent and returns the chunks the other
	// side is fed. Nil feeds each batch whole.
	Split func(fromClient bool, data []byte) [][]byte
	// ClientGot and ServerGot collect the cleartext each side read.
	ClientGot, ServerGot bytes.Buffer

	buf []byte
}

// NewPair makes a Pair from two configs.
func NewPair(clientCfg, serverCfg *engine.Config) (*Pair, error) {
	c, err := engine.NewClient(clientCfg)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	s, err := engine.NewServer(serverCfg)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	return &Pair{Client: c, Server: s, buf: make([]byte, 64<<10)}, nil
}

// Step moves every pending byte both ways once. It reports whether anything
// moved and the first error either side reported.
func (p *Pair) Step() (bool, error) {
	a, errA := p.move(p.Client, p.Server, &p.ServerGot, true)
	b, errB := p.move(p.Server, p.Client, &p.ClientGot, false)
	return a || b, errors.Join(errA, errB)
}

// Run steps until nothing moves, returning the first error.
func (p *Pair) Run() error {
	for {
		moved, err := p.Step()
		if err != nil {
			return err
		}
		if !moved {
			return nil
		}
	}
}

// Handshake runs the pair and checks both sides completed.
func (p *Pair) Handshake() error {
	if err := p.Run(); err != nil {
		return err
	}
	if !p.Client.HandshakeComplete() || !p.Server.HandshakeComplete() {
		return fmt.Errorf("handshake stalled (client done %v, server done %v)", p.Client.HandshakeComplete(), p.Server.HandshakeComplete())
	}
	return nil
}

func (p *Pair) move(src, dst *engine.Engine, got *bytes.Buffer, fromClient bool) (bool, error) {
	moved := false
	for {
		n, err := src.Encrypted().Read(p.buf)
		if n == 0 {
			if err == nil || errors.Is(err, engine.ErrWouldBlock) || errors.Is(err, io.EOF) {
				return moved, drain(dst, got)
			}
			return moved, fmt.Errorf("%s: %w", side(fromClient), err)
		}
		moved = true
		chunks := [][]byte{p.buf[:n]}
		if p.Split != nil {
			chunks = p.Split(fromClient, append([]byte(nil), p.buf[:n]...))
		}
		for _, c := range chunks {
			if err := feed(dst, c, got); err != nil {
				return moved, fmt.Errorf("%s: %w", side(!fromClient), err)
			}
		}
	}
}

func side(client bool) string {
	if client {
		return "client"
	}
	return "server"
}

// feed writes all of data into dst's Encrypted side, reading cleartext out
// when the engine asks for room.
func feed(dst *engine.Engine, data []byte, got *bytes.Buffer) error {
	for len(data) > 0 {
		n, err := dst.Encrypted().Write(data)
		data = data[n:]
		if derr := drain(dst, got); derr != nil {
			return derr
		}
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			return err
		}
		if n == 0 && dst.Wants()&engine.HasEvents != 0 && dst.Wants()&engine.InputPaused != 0 {
			return fmt.Errorf("input paused until events are read (%v)", dst.Wants())
		}
	}
	return nil
}

// drain reads every decrypted byte dst holds into got.
func drain(dst *engine.Engine, got *bytes.Buffer) error {
	var buf [16 << 10]byte
	for {
		n, err := dst.Cleartext().Read(buf[:])
		got.Write(buf[:n])
		if n > 0 {
			continue
		}
		if err == nil || errors.Is(err, engine.ErrWouldBlock) || errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
}

// Write queues cleartext on one side, moving bytes whenever the engine's
// output buffer is full.
func (p *Pair) Write(from *engine.Engine, data []byte) error {
	for len(data) > 0 {
		n, err := from.Cleartext().Write(data)
		data = data[n:]
		if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
			return err
		}
		if _, err := p.Step(); err != nil {
			return err
		}
	}
	return nil
}

// NewEarlyPair makes a Pair whose client writes early as 0-RTT data before
// anything moves; the returned buffer receives the client's first flight
// (its ClientHello and the early data), for replaying it elsewhere.
func NewEarlyPair(clientCfg, serverCfg *engine.Config, early []byte) (*Pair, *bytes.Buffer, error) {
	p, err := NewPair(clientCfg, serverCfg)
	if err != nil {
		return nil, nil, err
	}
	if n, err := p.Client.WriteEarlyData(early); err != nil || n != len(early) {
		return nil, nil, fmt.Errorf("WriteEarlyData: %d of %d bytes, %v", n, len(early), err)
	}
	var flight bytes.Buffer
	first := true
	p.Split = func(fromClient bool, data []byte) [][]byte {
		if fromClient && first {
			flight.Write(data)
			first = false
		}
		return [][]byte{data}
	}
	return p, &flight, nil
}
