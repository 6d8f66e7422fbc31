package handshake

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/securepair/securepair/record"
)

func wantAlertCode(t *testing.T, err error, alert record.Alert) {
	t.Helper()
	var ae *record.AlertError
	if !errors.As(err, &ae) || ae.Alert != alert {
		t.Fatalf("got %v, want alert %v", err, alert)
	}
}

// For every group, the client's share and the server's answer agree on the
// shared secret; a malformed share is illegal_parameter (RFC 8446 section
// 4.2.8).
func TestKeyShares(t *testing.T) {
	for _, g := range []uint16{GroupX25519, GroupSecp256r1, GroupSecp384r1, GroupSecp521r1, GroupX25519MLKEM768} {
		t.Run(GroupName(g), func(t *testing.T) {
			if !GroupSupported(g) {
				t.Fatal("not supported")
			}
			client, pub, err := NewClientKeyShare(g, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			share, serverSecret, err := AnswerKeyShare(g, pub, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			clientSecret, err := client.SharedSecret(share)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(clientSecret, serverSecret) || len(clientSecret) == 0 {
				t.Fatalf("secrets differ: %x %x", clientSecret, serverSecret)
			}
			_, _, err = AnswerKeyShare(g, pub[:len(pub)-1], rand.Reader)
			wantAlertCode(t, err, record.AlertIllegalParameter)
			_, err = client.SharedSecret(share[:len(share)-1])
			wantAlertCode(t, err, record.AlertIllegalParameter)
		})
	}
	if GroupSupported(0x1234) || GroupName(0x1234) == "X25519" {
		t.Fatal("an unknown group is supported")
	}
	if _, _, err := NewClientKeyShare(0x1234, rand.Reader); err == nil {
		t.Fatal("a key share for an unknown group")
	}
}

// CurveGroup names the groups of the standard library's curves.
func TestCurveGroup(t *testing.T) {
	for curve, want := range map[ecdh.Curve]uint16{ecdh.X25519(): GroupX25519, ecdh.P256(): GroupSecp256r1, ecdh.P384(): GroupSecp384r1, ecdh.P521(): GroupSecp521r1} {
		if got := CurveGroup(curve); got != want {
			t.Errorf("%v: %#04x, want %#04x", curve, got, want)
		}
	}
}
