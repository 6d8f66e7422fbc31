package machine

import (
	"errors"
	"testing"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// After a TLS 1.2 handshake, a HelloRequest gets a no_renegotiation warning
// and the connection goes on; a renegotiating ClientHello is fatal.
func TestRenegotiationRefused(t *testing.T) {
	var sink testSink
	client := traffic12(true, nil)
	next, err := client.Handle(handshake.EmptyMessage(handshake.TypeHelloRequest), &sink)
	if err != nil || next != client || len(sink.warnings) != 1 || sink.warnings[0] != record.AlertNoRenegotiation {
		t.Fatalf("HelloRequest: next %v, err %v, warnings %v", next, err, sink.warnings)
	}
	hello := handshake.Marshal((&handshake.ClientHello{Version: handshake.VersionTLS12, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}}))
	_, err = traffic12(false, nil).Handle(hello, &sink)
	wantAlert(t, err, record.AlertNoRenegotiation)
	if err := traffic12(true, nil).UpdateKeys(&sink, false); !errors.Is(err, errNoKeyUpdate) {
		t.Fatalf("KeyUpdate on TLS 1.2: %v", err)
	}
}

// Messages out of their place in a TLS 1.2 handshake are unexpected_message:
// a Finished before ChangeCipherSpec, a NextProtocol that was not negotiated.
func TestTLS12MessagesOutOfPlace(t *testing.T) {
	fin := handshake.Marshal((&handshake.Finished{VerifyData: make([]byte, 12)}))
	np := handshake.Marshal((&handshake.NextProtocol{Protocol: "h2"}))
	st := &server12{cfg: &Config{}, sess: session12{suite: handshake.Suites12()[0]}}
	tests := []struct {
		name  string
		state State
		msg   []byte
	}{
		{"server: Finished before ChangeCipherSpec", &server12ExpectChangeCipherSpec{server12: st}, fin},
		{"server: NextProtocol when NPN was not negotiated", &server12ExpectFinished{server12: st}, np},
		{"client: Finished before ChangeCipherSpec", &client12ExpectChangeCipherSpec{client12: &client12{sh: &handshake.ServerHello{}}}, fin},
		{"client: NextProtocol from a server", &client12ExpectFinished{client12: &client12{}}, np},
	}
	for _, tt := range tests {
		_, err := tt.state.Handle(tt.msg, &testSink{})
		var ae *record.AlertError
		if !errors.As(err, &ae) || ae.Alert != record.AlertUnexpectedMessage {
			t.Errorf("%s: got %v", tt.name, err)
		}
	}
}

// A client that gets both ALPN and NPN in one ServerHello aborts.
func TestServerHelloWithALPNAndNPN(t *testing.T) {
	hello := &handshake.ClientHello{Version: handshake.VersionTLS12, CipherSuites: []uint16{handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		CompressionMethods: []uint8{0}, Extensions: []handshake.Extension{handshake.ALPNExt([]string{"h2"}), handshake.EmptyExt(handshake.ExtNextProtoNeg),
			handshake.EmptyExt(handshake.ExtExtendedMasterSecret), handshake.SupportedVersionsClientExt([]uint16{handshake.VersionTLS12})}}
	raw := handshake.Marshal(hello)
	handshake.Unmarshal(raw, hello)
	c := &clientShared{cfg: &Config{}, hello: hello, helloRaw: raw, state: &ConnectionState{}}
	sh := &handshake.ServerHello{Version: handshake.VersionTLS12, CipherSuite: handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		Extensions: []handshake.Extension{handshake.ALPNExt([]string{"h2"}), handshake.NPNExt([]string{"h2"}), handshake.EmptyExt(handshake.ExtExtendedMasterSecret)}}
	shRaw := handshake.Marshal(sh)
	handshake.Unmarshal(shRaw, sh)
	_, err := c.handleServerHello12(sh, shRaw, &testSink{})
	wantAlert(t, err, record.AlertIllegalParameter)
}
