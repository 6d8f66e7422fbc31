package handshake

import (
	"bytes"
	"crypto/ecdh"
	"testing"

	"github.com/securepair/securepair/internal/rfc8448"
)

func loadSimple1RTT(t *testing.T) *rfc8448.Trace {
	t.Helper()
	tr, err := rfc8448.Load("../testdata/rfc8448/section3-simple-1rtt.txt")
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// The key schedule reproduces every secret, key and MAC of RFC 8448 section 3.
func TestRFC8448KeySchedule(t *testing.T) {
	tr := loadSimple1RTT(t)
	v := tr.MustValue
	suite := Suite13ByID(TLS_AES_128_GCM_SHA256)

	clientPriv, _ := ecdh.X25519().NewPrivateKey(v("{client}  create an ephemeral x25519 key pair", 0, "private key"))
	serverPriv, _ := ecdh.X25519().NewPrivateKey(v("{server}  create an ephemeral x25519 key pair", 0, "private key"))
	shared, err := ecdhShared(clientPriv, serverPriv.PublicKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}

	ch := v("{client}  construct a ClientHello", 0, "ClientHello")
	sh := v("{server}  construct a ServerHello", 0, "ServerHello")
	ee := v("{server}  construct an EncryptedExtensions", 0, "EncryptedExtensions")
	cert := v("{server}  construct a Certificate", 0, "Certificate")
	cv := v("{server}  construct a CertificateVerify", 0, "CertificateVerify")
	sfin := v("{server}  construct a Finished", 0, "Finished")
	cfin := v("{client}  construct a Finished", 0, "Finished")

	early := NewEarlySecret(suite, nil)
	hs := early.HandshakeSecret(shared)
	th := NewTranscript(suite)
	th.Add(ch, sh)
	thHello := th.Sum()
	cHS, sHS := hs.ClientTrafficSecret(thHello), hs.ServerTrafficSecret(thHello)
	ms := hs.MasterSecret()
	th.Add(ee, cert, cv)
	thCV := th.Sum()
	th.Add(sfin)
	thSFin := th.Sum()
	th.Add(cfin)
	thCFin := th.Sum()
	sKeyHS, sIVHS := suite.trafficKey(sHS)
	cApp, sApp := ms.ClientTrafficSecret(thSFin), ms.ServerTrafficSecret(thSFin)
	sKeyApp, sIVApp := suite.trafficKey(sApp)
	cKeyApp, cIVApp := suite.trafficKey(cApp)

	checks := []struct {
		name, step, field string
		got               []byte
	}{
		{"shared secret", `{server}  extract secret "handshake"`, "IKM", shared},
		{"early secret", `{server}  extract secret "early"`, "secret", early.secret},
		{"handshake secret", `{server}  extract secret "handshake"`, "secret", hs.secret},
		{"client handshake traffic", `{server}  derive secret "tls13 c hs traffic"`, "expanded", cHS},
		{"server handshake traffic", `{server}  derive secret "tls13 s hs traffic"`, "expanded", sHS},
		{"master secret", `{server}  extract secret "master"`, "secret", ms.secret},
		{"server handshake key", `{server}  derive write traffic keys for handshake data`, "key expanded", sKeyHS},
		{"server handshake iv", `{server}  derive write traffic keys for handshake data`, "iv expanded", sIVHS},
		{"server finished", `{server}  calculate finished "tls13 finished"`, "finished", suite.FinishedMAC(sHS, thCV)},
		{"client application traffic", `{server}  derive secret "tls13 c ap traffic"`, "expanded", cApp},
		{"server application traffic", `{server}  derive secret "tls13 s ap traffic"`, "expanded", sApp},
		{"exporter master", `{server}  derive secret "tls13 exp master"`, "expanded", ms.ExporterSecret(thSFin)},
		{"server application key", `{server}  derive write traffic keys for application data`, "key expanded", sKeyApp},
		{"server application iv", `{server}  derive write traffic keys for application data`, "iv expanded", sIVApp},
		{"client finished", `{client}  calculate finished "tls13 finished":`, "finished", suite.FinishedMAC(cHS, thSFin)},
		{"client application key", `{client}  derive write traffic keys for application data`, "key expanded", cKeyApp},
		{"client application iv", `{client}  derive write traffic keys for application data`, "iv expanded", cIVApp},
		{"resumption master", `{client}  derive secret "tls13 res master"`, "expanded", ms.ResumptionSecret(thCFin)},
	}
	for _, c := range checks {
		want := v(c.step, 0, c.field)
		if !bytes.Equal(c.got, want) {
			t.Errorf("%s:\n got %x\nwant %x", c.name, c.got, want)
		}
	}
}

// Our codecs decode and re-encode the RFC's messages byte for byte.
func TestRFC8448MessagesRoundTrip(t *testing.T) {
	tr := loadSimple1RTT(t)
	v := tr.MustValue
	msgs := []struct {
		step, field string
		m           Message
	}{
		{"{client}  construct a ClientHello", "ClientHello", new(ClientHello)},
		{"{server}  construct a ServerHello", "ServerHello", new(ServerHello)},
		{"{server}  construct an EncryptedExtensions", "EncryptedExtensions", new(EncryptedExtensions)},
		{"{server}  construct a Certificate", "Certificate", new(Certificate)},
		{"{server}  construct a CertificateVerify", "CertificateVerify", new(CertificateVerify)},
		{"{server}  construct a Finished", "Finished", new(Finished)},
		{"{server}  construct a NewSessionTicket", "NewSessionTicket", new(NewSessionTicket)},
	}
	for _, m := range msgs {
		raw := v(m.step, 0, m.field)
		if err := Unmarshal(raw, m.m); err != nil {
			t.Fatalf("%s: %v", m.field, err)
		}
		if got := Marshal(m.m); !bytes.Equal(got, raw) {
			t.Errorf("%s re-encodes differently:\n got %x\nwant %x", m.field, got, raw)
		}
	}
}
