package handshake

import (
	"bytes"
	"testing"

	"github.com/securepair/securepair/internal/rfc8448"
)

// The resumption half of the key schedule reproduces RFC 8448 section 4: the
// ticket's PSK from section 3's resumption secret, the early secret, the PSK
// binder over the truncated ClientHello and the client early traffic secret.
func TestRFC8448ResumptionKeySchedule(t *testing.T) {
	s3 := loadSimple1RTT(t)
	s4, err := rfc8448.Load("../testdata/rfc8448/section4-resumed-0rtt.txt")
	if err != nil {
		t.Fatal(err)
	}
	suite := Suite13ByID(TLS_AES_128_GCM_SHA256)

	resumption := s3.MustValue(`{client}  derive secret "tls13 res master"`, 0, "expanded")
	nst := new(NewSessionTicket)
	if err := Unmarshal(s3.MustValue("{server}  construct a NewSessionTicket", 0, "NewSessionTicket"), nst); err != nil {
		t.Fatal(err)
	}
	psk := suite.TicketPSK(resumption, nst.Nonce)
	early := NewEarlySecret(suite, psk)

	prefix := s4.MustValue("{client}  calculate PSK binder", 0, "ClientHello prefix")
	th := NewTranscript(suite)
	th.Add(prefix)
	binder := suite.FinishedMAC(early.BinderKey(), th.Sum())
	full := append(append(append([]byte{}, prefix...), 0x00, 0x21, 0x20), binder...)
	th = NewTranscript(suite)
	th.Add(full)

	checks := []struct {
		name, step, field string
		got               []byte
	}{
		{"ticket PSK", `{client}  extract secret "early"`, "IKM", psk},
		{"early secret", `{client}  extract secret "early"`, "secret", early.secret},
		{"PSK binder", "{client}  calculate PSK binder", "finished", binder},
		{"client early traffic", `{client}  derive secret "tls13 c e traffic"`, "expanded", early.ClientEarlyTrafficSecret(th.Sum())},
	}
	for _, c := range checks {
		if want := s4.MustValue(c.step, 0, c.field); !bytes.Equal(c.got, want) {
			t.Errorf("%s:\n got %x\nwant %x", c.name, c.got, want)
		}
	}
}
