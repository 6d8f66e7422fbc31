package machine

import (
	"errors"
	"testing"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// After a TLS 1.2 handshake, a HelloRequest (client) and a renegotiating
// ClientHello (server) get a no_renegotiation warning and the connection goes
// on (RFC 5746 section 4.2 and 4.4; no_renegotiation is a warning, RFC 5246
// section 7.2.2); a malformed ClientHello is still decode_error.
func TestRenegotiationRefused(t *testing.T) {
	hello := handshake.Marshal((&handshake.ClientHello{Version: handshake.VersionTLS12, CipherSuites: []uint16{0xc02b}, CompressionMethods: []uint8{0}}))
	cases := []struct {
		name     string
		isClient bool
		msg      []byte
	}{
		{"HelloRequest to a client", true, handshake.EmptyMessage(handshake.TypeHelloRequest)},
		{"ClientHello to a server", false, hello},
	}
	for _, tc := range cases {
		var sink testSink
		st := traffic12(tc.isClient, nil)
		next, err := st.Handle(tc.msg, &sink)
		if err != nil || next != st || len(sink.warnings) != 1 || sink.warnings[0] != record.AlertNoRenegotiation {
			t.Fatalf("%s: next %v, err %v, warnings %v", tc.name, next, err, sink.warnings)
		}
	}
	_, err := traffic12(false, nil).Handle(hello[:len(hello)-1], &testSink{})
	wantAlert(t, err, record.AlertDecodeError)
	if err := traffic12(true, nil).UpdateKeys(&testSink{}, false); !errors.Is(err, errNoKeyUpdate) {
		t.Fatalf("KeyUpdate on TLS 1.2: %v", err)
	}
}

func TestTLS12MessagesOutOfPlace(t *testing.T) {
	fin := handshake.Marshal((&handshake.Finished{VerifyData: make([]byte, 12)}))
	np := handshake.Marshal((&handshake.NextProtocol{Protocol: "h2"}))
	st := &server12{cfg: &Config{}, sess: session12{suite: handshake.Suite12ByID(handshake.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)}}
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
