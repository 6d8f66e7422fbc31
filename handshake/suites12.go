package handshake

import (
	"crypto"

	"github.com/securepair/securepair/record"
)

// Suite12 is a TLS 1.2 cipher suite: ECDHE with an AEAD, or a legacy one
// that only a client takes, when a hello shape or its CipherSuites offers
// it: AES-CBC with HMAC (MAC set), RSA key exchange (no forward secrecy).
type Suite12 struct {
	ID    uint16
	Name  string
	Hash  crypto.Hash // of the PRF
	AEAD  record.AEADKind
	ECDSA bool // authenticated by an ECDSA certificate (else RSA)
	// RSAKeyExchange: the premaster secret is encrypted to the server's
	// RSA certificate instead of agreed by ECDHE (RFC 5246 section 7.4.7.1).
	RSAKeyExchange bool
	// CBC suites: the HMAC's hash and the key length (RFC 5246 section
	// 6.2.3.2, RFC 5289), of AES or, with TripleDES, of 3DES-EDE. Zero for
	// AEAD suites.
	MAC       crypto.Hash
	CBCKeyLen int
	TripleDES bool
}

// TLS 1.2 cipher suites (RFC 5289, RFC 7905).
const (
	TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       uint16 = 0xc02b
	TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       uint16 = 0xc02c
	TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         uint16 = 0xc02f
	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         uint16 = 0xc030
	TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   uint16 = 0xcca8
	TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 uint16 = 0xcca9
	// AES-CBC with HMAC (RFC 4492, RFC 5289): legacy suites a client takes
	// only when its hello shape offers them; a server never does.
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA    uint16 = 0xc009
	TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA    uint16 = 0xc00a
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA      uint16 = 0xc013
	TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA      uint16 = 0xc014
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 uint16 = 0xc023
	TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384 uint16 = 0xc024
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256   uint16 = 0xc027
	TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384   uint16 = 0xc028
	// RSA key exchange (RFC 5246, RFC 5288): legacy, client only, likewise.
	TLS_RSA_WITH_AES_128_CBC_SHA    uint16 = 0x002f
	TLS_RSA_WITH_AES_256_CBC_SHA    uint16 = 0x0035
	TLS_RSA_WITH_AES_128_CBC_SHA256 uint16 = 0x003c
	TLS_RSA_WITH_AES_256_CBC_SHA256 uint16 = 0x003d
	TLS_RSA_WITH_AES_128_GCM_SHA256 uint16 = 0x009c
	TLS_RSA_WITH_AES_256_GCM_SHA384 uint16 = 0x009d
	// 3DES-EDE-CBC (64-bit blocks: Sweet32), as old shapes still list it.
	TLS_RSA_WITH_3DES_EDE_CBC_SHA       uint16 = 0x000a
	TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA uint16 = 0xc012
	// TLS_FALLBACK_SCSV is no suite: a client that retries with a lower
	// version than it could speak sends it (RFC 7507).
	TLS_FALLBACK_SCSV uint16 = 0x5600
	// TLS_EMPTY_RENEGOTIATION_INFO_SCSV stands for an empty
	// renegotiation_info extension in a ClientHello (RFC 5746 section 3.3).
	TLS_EMPTY_RENEGOTIATION_INFO_SCSV uint16 = 0x00ff
)

var suites12 = []*Suite12{
	{ID: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, Name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", Hash: crypto.SHA256, AEAD: record.AES128GCM, ECDSA: true},
	{ID: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, Name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", Hash: crypto.SHA256, AEAD: record.AES128GCM},
	{ID: TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, Name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", Hash: crypto.SHA256, AEAD: record.ChaCha20Poly1305, ECDSA: true},
	{ID: TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, Name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", Hash: crypto.SHA256, AEAD: record.ChaCha20Poly1305},
	{ID: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, Name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", Hash: crypto.SHA384, AEAD: record.AES256GCM, ECDSA: true},
	{ID: TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, Name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", Hash: crypto.SHA384, AEAD: record.AES256GCM},
	{ID: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, Name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", Hash: crypto.SHA256, ECDSA: true, MAC: crypto.SHA1, CBCKeyLen: 16},
	{ID: TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, Name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", Hash: crypto.SHA256, ECDSA: true, MAC: crypto.SHA1, CBCKeyLen: 32},
	{ID: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, Name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", Hash: crypto.SHA256, MAC: crypto.SHA1, CBCKeyLen: 16},
	{ID: TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, Name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", Hash: crypto.SHA256, MAC: crypto.SHA1, CBCKeyLen: 32},
	{ID: TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, Name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", Hash: crypto.SHA256, ECDSA: true, MAC: crypto.SHA256, CBCKeyLen: 16},
	{ID: TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384, Name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", Hash: crypto.SHA384, ECDSA: true, MAC: crypto.SHA384, CBCKeyLen: 32},
	{ID: TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, Name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", Hash: crypto.SHA256, MAC: crypto.SHA256, CBCKeyLen: 16},
	{ID: TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384, Name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", Hash: crypto.SHA384, MAC: crypto.SHA384, CBCKeyLen: 32},
	{ID: TLS_RSA_WITH_AES_128_GCM_SHA256, Name: "TLS_RSA_WITH_AES_128_GCM_SHA256", Hash: crypto.SHA256, AEAD: record.AES128GCM, RSAKeyExchange: true},
	{ID: TLS_RSA_WITH_AES_256_GCM_SHA384, Name: "TLS_RSA_WITH_AES_256_GCM_SHA384", Hash: crypto.SHA384, AEAD: record.AES256GCM, RSAKeyExchange: true},
	{ID: TLS_RSA_WITH_AES_128_CBC_SHA, Name: "TLS_RSA_WITH_AES_128_CBC_SHA", Hash: crypto.SHA256, MAC: crypto.SHA1, CBCKeyLen: 16, RSAKeyExchange: true},
	{ID: TLS_RSA_WITH_AES_256_CBC_SHA, Name: "TLS_RSA_WITH_AES_256_CBC_SHA", Hash: crypto.SHA256, MAC: crypto.SHA1, CBCKeyLen: 32, RSAKeyExchange: true},
	{ID: TLS_RSA_WITH_AES_128_CBC_SHA256, Name: "TLS_RSA_WITH_AES_128_CBC_SHA256", Hash: crypto.SHA256, MAC: crypto.SHA256, CBCKeyLen: 16, RSAKeyExchange: true},
	{ID: TLS_RSA_WITH_AES_256_CBC_SHA256, Name: "TLS_RSA_WITH_AES_256_CBC_SHA256", Hash: crypto.SHA256, MAC: crypto.SHA256, CBCKeyLen: 32, RSAKeyExchange: true},
	{ID: TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA, Name: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", Hash: crypto.SHA256, MAC: crypto.SHA1, CBCKeyLen: 24, TripleDES: true},
	{ID: TLS_RSA_WITH_3DES_EDE_CBC_SHA, Name: "TLS_RSA_WITH_3DES_EDE_CBC_SHA", Hash: crypto.SHA256, MAC: crypto.SHA1, CBCKeyLen: 24, TripleDES: true, RSAKeyExchange: true},
}

// Suite12ByID returns the TLS 1.2 suite with the given ID, or nil.
func Suite12ByID(id uint16) *Suite12 {
	for _, s := range suites12 {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// PRF is the TLS 1.2 PRF (RFC 5246 section 5) with the suite's hash.
func (s *Suite12) PRF(secret []byte, label string, seed []byte, n int) []byte {
	labelSeed := append([]byte(label), seed...)
	out := make([]byte, 0, n+s.Hash.Size())
	a := labelSeed
	var aBuf [maxHashSize]byte
	for len(out) < n {
		a = appendHMAC(s.Hash, aBuf[:0], secret, a, nil) // A(i) = HMAC(secret, A(i-1))
		out = appendHMAC(s.Hash, out, secret, a, labelSeed)
	}
	return out[:n]
}

// MasterSecret derives the extended master secret (RFC 7627) from the
// premaster secret and the session hash.
func (s *Suite12) MasterSecret(premaster, sessionHash []byte) []byte {
	return s.PRF(premaster, "extended master secret", sessionHash, 48)
}

// Keys12 are the record keys and IVs of both directions, from the key block.
type Keys12 struct {
	ClientMAC, ServerMAC                     []byte // CBC suites only
	ClientKey, ServerKey, ClientIV, ServerIV []byte
}

// LegacyMasterSecret is the RFC 5246 section 8.1 master secret, for a peer
// that does not speak the extended master secret (RFC 7627). Such a session
// is never resumed and exports no keying material.
func (s *Suite12) LegacyMasterSecret(premaster, clientRandom, serverRandom []byte) []byte {
	return s.PRF(premaster, "master secret", append(append([]byte{}, clientRandom...), serverRandom...), 48)
}

// KeyBlock splits the key block (RFC 5246 section 6.3) into MAC keys (CBC
// suites only), keys and IVs, in that order.
func (s *Suite12) KeyBlock(master, clientRandom, serverRandom []byte) Keys12 {
	macLen, keyLen, ivLen := 0, s.AEAD.KeyLen(), record.IVLen12(s.AEAD)
	if s.MAC != 0 {
		macLen, keyLen, ivLen = s.MAC.Size(), s.CBCKeyLen, s.cbcBlockSize()
	}
	block := s.PRF(master, "key expansion", append(append([]byte{}, serverRandom...), clientRandom...), 2*macLen+2*keyLen+2*ivLen)
	take := func(n int) []byte {
		b := block[:n:n]
		block = block[n:]
		return b
	}
	return Keys12{ClientMAC: take(macLen), ServerMAC: take(macLen), ClientKey: take(keyLen), ServerKey: take(keyLen),
		ClientIV: take(ivLen), ServerIV: take(ivLen)}
}

// cbcBlockSize is the block size of a CBC suite's cipher, which is also
// the length of its (unused) key block IVs.
func (s *Suite12) cbcBlockSize() int {
	if s.TripleDES {
		return 8
	}
	return 16
}

// FinishedVerifyData computes verify_data (12 bytes) over the transcript hash.
func (s *Suite12) FinishedVerifyData(master []byte, client bool, transcriptHash []byte) []byte {
	label := "server finished"
	if client {
		label = "client finished"
	}
	return s.PRF(master, label, transcriptHash, 12)
}
