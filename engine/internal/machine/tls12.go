package machine

import (
	"crypto"
	"crypto/cipher"
	"crypto/hmac"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// tls12State gives every TLS 1.2 state its ChangeCipherSpec method: in TLS
// 1.2 a ChangeCipherSpec is a protocol step of its own, refused by every
// state but the one that waits for it.
type tls12State struct{}

// ChangeCipherSpec refuses a ChangeCipherSpec where none is expected.
func (tls12State) ChangeCipherSpec(Sink) (State, error) {
	return nil, record.Errorf(record.AlertUnexpectedMessage, "unexpected ChangeCipherSpec")
}

// CCSReceiver is a state of a TLS 1.2 handshake: the engine hands it the
// peer's ChangeCipherSpec (checked to be well formed and unprotected).
type CCSReceiver interface {
	State
	ChangeCipherSpec(out Sink) (State, error)
}

// transcript12 keeps the TLS 1.2 handshake messages whole: CertificateVerify
// signs them with its own hash, which may differ from the PRF's.
type transcript12 struct {
	msgs []byte
}

func (t *transcript12) add(msgs ...[]byte) {
	for _, m := range msgs {
		t.msgs = append(t.msgs, m...)
	}
}

func (t *transcript12) sum(h crypto.Hash) []byte {
	d := h.New()
	d.Write(t.msgs)
	return d.Sum(nil)
}

// session12 is what a TLS 1.2 handshake has agreed once keys exist.
type session12 struct {
	suite        *handshake.Suite12
	ems          bool // the master secret is RFC 7627's extended one
	etm          bool // CBC records are encrypt-then-MAC (RFC 7366)
	master       []byte
	clientRandom []byte
	serverRandom []byte
	npn          string
}

// deriveMaster computes the master secret from the premaster secret: the
// extended one (RFC 7627) over the session hash, else RFC 5246's.
func (s *session12) deriveMaster(premaster []byte, t *transcript12) {
	if s.ems {
		s.master = s.suite.MasterSecret(premaster, t.sum(s.suite.Hash))
		return
	}
	s.master = s.suite.LegacyMasterSecret(premaster, s.clientRandom, s.serverRandom)
}

// protectors makes both directions' record protection from the key block.
func (s *session12) protectors() (client, server record.Protector, err error) {
	k := s.suite.KeyBlock(s.master, s.clientRandom, s.serverRandom)
	if client, err = s.protector(k.ClientMAC, k.ClientKey, k.ClientIV); err != nil {
		return nil, nil, err
	}
	if server, err = s.protector(k.ServerMAC, k.ServerKey, k.ServerIV); err != nil {
		return nil, nil, err
	}
	return client, server, nil
}

// protector makes one direction's: AEAD, or CBC when the suite has a MAC.
func (s *session12) protector(macKey, key, iv []byte) (record.Protector, error) {
	var p record.Protector
	var err error
	if s.suite.MAC != 0 {
		var block cipher.Block
		if block, err = cbcBlock(s.suite, key); err == nil {
			p = newProtectorCBC(s.suite.MAC, macKey, block, s.etm)
		}
	} else {
		p, err = record.NewProtector12(s.suite.AEAD, key, iv)
	}
	if err != nil {
		return nil, internal(err)
	}
	return p, nil
}

// serverKeyExchangeContent is what a ServerKeyExchange signature covers.
func serverKeyExchangeContent(clientRandom, serverRandom []byte, ske *handshake.ServerKeyExchange) []byte {
	return append(append(append([]byte{}, clientRandom...), serverRandom...), ske.SignedParams()...)
}

// traffic12 is the Traffic state of a TLS 1.2 connection.
func traffic12(isClient bool, sess *session12) *Traffic {
	return &Traffic{isClient: isClient, tls12: true, sess12: sess}
}

// exportKeyingMaterial12 is RFC 5705's exporter over the TLS 1.2 PRF (with
// the extended master secret, which this library always uses).
func (s *session12) exportKeyingMaterial(label string, context []byte, length int) []byte {
	seed := append(append([]byte{}, s.clientRandom...), s.serverRandom...)
	if context != nil {
		seed = append(seed, byte(len(context)>>8), byte(len(context)))
		seed = append(seed, context...)
	}
	return s.suite.PRF(s.master, label, seed, length)
}

// changeCipherSpec sends ChangeCipherSpec and switches to the new write key.
func changeCipherSpec(out Sink, p record.Protector) error {
	if err := out.SendChangeCipherSpec(); err != nil {
		return err
	}
	return out.SetWriteKey(LevelApplication, p)
}

// finishedMessage is this side's Finished over the transcript so far.
func (s *session12) finishedMessage(client bool, t *transcript12) []byte {
	return handshake.Marshal((&handshake.Finished{VerifyData: s.suite.FinishedVerifyData(s.master, client, t.sum(s.suite.Hash))}))
}

// verifyFinished decodes the peer's Finished, checks it over the transcript
// so far (decrypt_error if it does not verify) and adds it to the transcript.
func (s *session12) verifyFinished(fromClient bool, t *transcript12, raw []byte) error {
	fin, err := expect[handshake.Finished](raw)
	if err != nil {
		return err
	}
	if !hmac.Equal(s.suite.FinishedVerifyData(s.master, fromClient, t.sum(s.suite.Hash)), fin.VerifyData) {
		peer := "server"
		if fromClient {
			peer = "client"
		}
		return record.Errorf(record.AlertDecryptError, "%s Finished does not verify", peer)
	}
	t.add(raw)
	return nil
}
