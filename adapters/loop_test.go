package adapters_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
)

// Two channel-driven loops carry a handshake and 1 MiB each way, then end
// cleanly on close_notify from both sides.
func TestChannelLoop(t *testing.T) {
	ccfg, scfg := configs(t)
	ce, _ := engine.NewClient(ccfg)
	se, _ := engine.NewServer(scfg)
	cToS, sToC := make(chan []byte, 4), make(chan []byte, 4)
	cIn, cOut, sIn, sOut := make(chan []byte), make(chan []byte), make(chan []byte), make(chan []byte)
	events := make(chan engine.Event, 16)
	client := &adapters.Loop{Engine: ce, FromPeer: sToC, ToPeer: cToS, AppIn: cIn, AppOut: cOut, Events: events}
	server := &adapters.Loop{Engine: se, FromPeer: cToS, ToPeer: sToC, AppIn: sIn, AppOut: sOut}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results := make(chan error, 2)
	go func() { results <- client.Run(ctx) }()
	go func() { results <- server.Run(ctx) }()

	send := func(in chan<- []byte, data []byte) {
		for len(data) > 0 {
			n := min(len(data), 16<<10)
			in <- data[:n]
			data = data[n:]
		}
		close(in)
	}
	collect := func(out <-chan []byte, into *bytes.Buffer, done chan<- struct{}) {
		for b := range out {
			into.Write(b)
		}
		close(done)
	}
	toServer, toClient := payload(1<<20, 3), payload(1<<20, 4)
	var gotByServer, gotByClient bytes.Buffer
	sDone, cDone := make(chan struct{}), make(chan struct{})
	go collect(sOut, &gotByServer, sDone)
	go collect(cOut, &gotByClient, cDone)
	go send(cIn, toServer)
	go send(sIn, toClient)
	for range 2 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	<-sDone
	<-cDone
	if !bytes.Equal(gotByServer.Bytes(), toServer) || !bytes.Equal(gotByClient.Bytes(), toClient) {
		t.Fatalf("server got %d bytes, client got %d", gotByServer.Len(), gotByClient.Len())
	}
	if ev := <-events; ev.Kind != engine.EventHandshakeDone {
		t.Fatalf("first client event %v", ev.Kind)
	}
}
