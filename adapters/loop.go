package adapters

import (
	"context"
	"errors"
	"io"

	"github.com/securepair/securepair/engine"
)

// Loop drives an engine from one goroutine with channels only, for programs
// built around select loops. Ciphertext arrives on FromPeer (closed when the
// peer's stream ends) and leaves on ToPeer; cleartext to send arrives on
// AppIn (close it to send close_notify) and decrypted cleartext leaves on
// AppOut, which Run closes when the peer has closed cleanly. Either side may
// close first: TLS 1.3 connections half-close.
type Loop struct {
	Engine   *engine.Engine
	FromPeer <-chan []byte
	ToPeer   chan<- []byte
	AppIn    <-chan []byte
	AppOut   chan<- []byte
	// Events, when set, receives the engine's events.
	Events chan<- engine.Event
}

// Run drives the engine until both sides have closed (nil: the peer's
// close_notify arrived, AppIn was closed and everything was sent), the
// connection fails (its error), or ctx ends. Every channel operation sits in one select, so a
// full ToPeer never stops the loop taking FromPeer: two loops wired to each
// other cannot deadlock.
func (l *Loop) Run(ctx context.Context) error {
	e := l.Engine
	fromPeer, appIn := l.FromPeer, l.AppIn
	var (
		inPending, appPending []byte // taken from a channel, not yet taken by the engine
		toPeer, toApp         []byte // taken from the engine, not yet sent
		event                 *engine.Event
		peerDone              bool // the peer's close_notify arrived; AppOut is closed
	)
	buf := make([]byte, 32<<10)
	for {
		if len(inPending) > 0 {
			n, err := e.Encrypted().Write(inPending)
			inPending = inPending[n:]
			if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
				return l.fail(ctx, err, toPeer)
			}
		}
		if len(appPending) > 0 {
			n, err := e.Cleartext().Write(appPending)
			appPending = appPending[n:]
			if err != nil && !errors.Is(err, engine.ErrWouldBlock) {
				return l.fail(ctx, err, toPeer)
			}
		}
		if toPeer == nil {
			if n, _ := e.Encrypted().Read(buf); n > 0 {
				toPeer = append([]byte(nil), buf[:n]...)
			}
		}
		if toApp == nil && !peerDone {
			n, err := e.Cleartext().Read(buf)
			switch {
			case n > 0:
				toApp = append([]byte(nil), buf[:n]...)
			case errors.Is(err, io.EOF):
				if !peerDone {
					close(l.AppOut)
					peerDone = true
				}
			case err != nil && !errors.Is(err, engine.ErrWouldBlock):
				return l.fail(ctx, err, toPeer)
			}
		}
		if event == nil {
			if ev, ok := e.NextEvent(); ok && l.Events != nil {
				event = &ev
			}
		}
		if peerDone && appIn == nil && toPeer == nil && event == nil && e.Encrypted().Pending() == 0 {
			return nil // both sides closed, everything sent
		}
		var (
			toPeerCh chan<- []byte
			toAppCh  chan<- []byte
			eventCh  chan<- engine.Event
			evValue  engine.Event
			fromCh   <-chan []byte
			appCh    <-chan []byte
		)
		if toPeer != nil {
			toPeerCh = l.ToPeer
		}
		if toApp != nil {
			toAppCh = l.AppOut
		}
		if event != nil {
			eventCh, evValue = l.Events, *event
		}
		if len(inPending) == 0 {
			fromCh = fromPeer
		}
		if len(appPending) == 0 {
			appCh = appIn
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case toPeerCh <- toPeer:
			toPeer = nil
		case toAppCh <- toApp:
			toApp = nil
		case eventCh <- evValue:
			event = nil
		case b, ok := <-fromCh:
			if !ok {
				fromPeer = nil
				e.Encrypted().Close()
				continue
			}
			inPending = b
		case b, ok := <-appCh:
			if !ok {
				appIn = nil
				e.Close()
				continue
			}
			appPending = b
		}
	}
}

// fail sends what is left for the peer (the alert) and returns err.
func (l *Loop) fail(ctx context.Context, err error, toPeer []byte) error {
	buf := make([]byte, 4096)
	for {
		if toPeer == nil {
			n, _ := l.Engine.Encrypted().Read(buf)
			if n == 0 {
				return err
			}
			toPeer = append([]byte(nil), buf[:n]...)
		}
		select {
		case l.ToPeer <- toPeer:
			toPeer = nil
		case <-ctx.Done():
			return err
		}
	}
}
