package handshake

import (
	"crypto/hkdf"
	"hash"
	"slices"

	"github.com/securepair/securepair/record"
)

// The TLS 1.3 key schedule (RFC 8446 section 7.1) as typed stages: each stage
// is made only from the one before, so a secret cannot be used out of order.

// expandLabel is HKDF-Expand-Label. Every output here fits in one HMAC block
// (at most the hash size), so it is one HMAC over HkdfLabel || 0x01, built
// in a stack buffer: the key schedule runs a dozen of these per handshake.
func (s *Suite) expandLabel(secret []byte, label string, context []byte, length int) []byte {
	var buf [2 + 1 + 6 + 32 + 1 + 64 + 1]byte
	info := buf[:0]
	info = append(info, byte(length>>8), byte(length), byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, byte(len(context)))
	info = append(info, context...)
	if length <= s.Hash.Size() {
		var out [maxHashSize]byte
		return slices.Clone(appendHMAC(s.Hash, out[:0], secret, info, []byte{1})[:length])
	}
	out, err := hkdf.Expand(s.Hash.New, secret, string(info), length)
	if err != nil {
		panic("handshake: HKDF-Expand-Label with length " + err.Error()) // lengths are ours, never the peer's
	}
	return out
}

// deriveSecret is Derive-Secret with an already computed transcript hash.
func (s *Suite) deriveSecret(secret []byte, label string, transcriptHash []byte) []byte {
	return s.expandLabel(secret, label, transcriptHash, s.Hash.Size())
}

// deriveFromEmpty is Derive-Secret over an empty transcript ("derived",
// "res binder", the exporter's first step), its hash computed on the stack.
func (s *Suite) deriveFromEmpty(secret []byte, label string) []byte {
	empty := sumOneShot(s.Hash, nil)
	return s.deriveSecret(secret, label, empty[:s.Hash.Size()])
}

// extract is HKDF-Extract: HMAC keyed with the salt. A nil salt or ikm
// stands for a string of zeros of the hash's size (RFC 8446 section 7.1).
func (s *Suite) extract(ikm, salt []byte) []byte {
	var zeros [maxHashSize]byte
	if salt == nil {
		salt = zeros[:s.Hash.Size()]
	}
	if ikm == nil {
		ikm = zeros[:s.Hash.Size()]
	}
	return appendHMAC(s.Hash, make([]byte, 0, s.Hash.Size()), salt, ikm, nil)
}

// trafficKey derives the record key and IV from a traffic secret.
func (s *Suite) trafficKey(secret []byte) (key, iv []byte) {
	return s.expandLabel(secret, "key", nil, s.AEAD.KeyLen()), s.expandLabel(secret, "iv", nil, record.IVLen)
}

// NextTrafficSecret is the KeyUpdate step (RFC 8446 section 7.2).
func (s *Suite) NextTrafficSecret(secret []byte) []byte {
	return s.expandLabel(secret, "traffic upd", nil, s.Hash.Size())
}

// FinishedMAC computes verify_data for a Finished message.
func (s *Suite) FinishedMAC(baseKey, transcriptHash []byte) []byte {
	key := s.expandLabel(baseKey, "finished", nil, s.Hash.Size())
	return appendHMAC(s.Hash, make([]byte, 0, s.Hash.Size()), key, transcriptHash, nil)
}

// ExportKeyingMaterial derives length bytes of keying material for label and
// context from the exporter secret (RFC 8446 section 7.5). The label is at
// most 249 bytes and length at most 255 hash sizes.
func (s *Suite) ExportKeyingMaterial(exporterSecret []byte, label string, context []byte, length int) []byte {
	secret := s.deriveFromEmpty(exporterSecret, label)
	return s.expandLabel(secret, "exporter", hashOf(s.Hash, context), length)
}

// TicketPSK derives the PSK of a resumption ticket from the resumption
// secret and the ticket's nonce (RFC 8446 section 4.6.1).
func (s *Suite) TicketPSK(resumptionSecret, nonce []byte) []byte {
	return s.expandLabel(resumptionSecret, "resumption", nonce, s.Hash.Size())
}

// EarlySecret is the first stage of the TLS 1.3 key schedule (RFC 8446
// section 7.1), from the PSK (zeros when there is none). Each stage is made
// only from the one before, so a secret cannot be used out of order.
type EarlySecret struct {
	suite  *Suite
	secret []byte
}

// NewEarlySecret starts the key schedule of suite s; psk is nil for a full
// handshake.
func NewEarlySecret(s *Suite, psk []byte) EarlySecret {
	return EarlySecret{s, s.extract(psk, nil)}
}

// BinderKey is the key of PSK binders for resumption tickets.
func (e EarlySecret) BinderKey() []byte {
	return e.suite.deriveFromEmpty(e.secret, "res binder")
}

// ClientEarlyTrafficSecret protects 0-RTT data; th is the ClientHello's
// transcript hash.
func (e EarlySecret) ClientEarlyTrafficSecret(th []byte) []byte {
	return e.suite.deriveSecret(e.secret, "c e traffic", th)
}

// HandshakeSecret is the second stage, mixing in the (EC)DHE shared secret.
type HandshakeSecret struct {
	suite  *Suite
	secret []byte
}

// HandshakeSecret moves to the second stage with the (EC)DHE shared secret
// (zeros for psk_ke).
func (e EarlySecret) HandshakeSecret(shared []byte) HandshakeSecret {
	derived := e.suite.deriveFromEmpty(e.secret, "derived")
	return HandshakeSecret{e.suite, e.suite.extract(shared, derived)}
}

// ClientTrafficSecret protects the client's handshake messages; th hashes
// ClientHello..ServerHello.
func (h HandshakeSecret) ClientTrafficSecret(th []byte) []byte {
	return h.suite.deriveSecret(h.secret, "c hs traffic", th)
}

// ServerTrafficSecret protects the server's handshake messages.
func (h HandshakeSecret) ServerTrafficSecret(th []byte) []byte {
	return h.suite.deriveSecret(h.secret, "s hs traffic", th)
}

// MasterSecret is the last stage, from which application secrets come.
type MasterSecret struct {
	suite  *Suite
	secret []byte
}

// MasterSecret moves to the last stage.
func (h HandshakeSecret) MasterSecret() MasterSecret {
	derived := h.suite.deriveFromEmpty(h.secret, "derived")
	return MasterSecret{h.suite, h.suite.extract(nil, derived)}
}

// ClientTrafficSecret is the client's first application traffic secret; th
// hashes ClientHello..server Finished.
func (m MasterSecret) ClientTrafficSecret(th []byte) []byte {
	return m.suite.deriveSecret(m.secret, "c ap traffic", th)
}

// ServerTrafficSecret is the server's first application traffic secret.
func (m MasterSecret) ServerTrafficSecret(th []byte) []byte {
	return m.suite.deriveSecret(m.secret, "s ap traffic", th)
}

// ExporterSecret is the secret of ExportKeyingMaterial; th as for the
// traffic secrets.
func (m MasterSecret) ExporterSecret(th []byte) []byte {
	return m.suite.deriveSecret(m.secret, "exp master", th)
}

// ResumptionSecret is the secret tickets' PSKs come from (TicketPSK); th
// hashes ClientHello..client Finished.
func (m MasterSecret) ResumptionSecret(th []byte) []byte {
	return m.suite.deriveSecret(m.secret, "res master", th)
}

// Transcript is the running hash of the handshake messages.
type Transcript struct {
	h hash.Hash
}

// NewTranscript starts a transcript with suite s's hash.
func NewTranscript(s *Suite) *Transcript { return &Transcript{h: s.Hash.New()} }

// Add hashes whole handshake messages, headers included.
func (t *Transcript) Add(msgs ...[]byte) {
	for _, m := range msgs {
		t.h.Write(m)
	}
}

// Sum returns the hash of the messages so far.
func (t *Transcript) Sum() []byte { return t.h.Sum(nil) }

// MessageHash returns the message_hash message that replaces the first ClientHello after a HelloRetryRequest
// (RFC 8446 section 4.4.1).
func MessageHash(s *Suite, clientHello1 []byte) []byte {
	sum := sumOneShot(s.Hash, clientHello1)
	return append([]byte{byte(TypeMessageHash), 0, 0, byte(s.Hash.Size())}, sum[:s.Hash.Size()]...)
}
