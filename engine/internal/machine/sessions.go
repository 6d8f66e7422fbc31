package machine

import (
	"crypto/x509"
	"errors"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// Session is a resumable TLS 1.2 session: what both sides keep to skip the
// key exchange next time.
type Session struct {
	Version   uint16
	Suite     uint16
	Master    []byte // TLS 1.2: the master secret; TLS 1.3: the resumption PSK
	Context   []byte // the server's SessionIDContext
	ALPN      string
	CreatedAt time.Time
	AgeAdd    uint32 // TLS 1.3: obfuscates the ticket age
	// MaxEarlyData is how much 0-RTT data the ticket allows (TLS 1.3).
	MaxEarlyData uint32
	// Client side only: how the server named the session and how long it
	// honours it.
	ID       []byte
	Ticket   []byte
	Lifetime time.Duration
	// The peer's authentication in the original handshake, which a
	// resumed one reports again (Node's authorized/authorizationError).
	Authorized         bool
	AuthorizationError error
	PeerCertificates   []*x509.Certificate
	VerifiedChains     [][]*x509.Certificate
}

// rememberAuth keeps the peer's authentication of a handshake in a session.
func (s *Session) rememberAuth(st *ConnectionState) *Session {
	s.Authorized, s.AuthorizationError = st.Authorized, st.AuthorizationError
	s.PeerCertificates, s.VerifiedChains = st.PeerCertificates, st.VerifiedChains
	return s
}

// restoreAuth reports a resumed session's original authentication.
func (s *Session) restoreAuth(st *ConnectionState) {
	st.Authorized, st.AuthorizationError = s.Authorized, s.AuthorizationError
	st.PeerCertificates, st.VerifiedChains = s.PeerCertificates, s.VerifiedChains
}

// sessionFormat is the first byte of an encoded session: a stored session
// of another format is not resumed (a full handshake happens).
const sessionFormat = 1

// marshal encodes a session for a ticket or a server's session store.
func (s *Session) marshal() []byte {
	var b cryptobyte.Builder
	b.AddUint8(sessionFormat)
	b.AddUint16(s.Version)
	b.AddUint16(s.Suite)
	b.AddUint64(uint64(s.CreatedAt.Unix()))
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.Master) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.Context) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(s.ALPN)) })
	b.AddUint32(s.AgeAdd)
	b.AddUint32(s.MaxEarlyData)
	addAuth(&b, s)
	return b.BytesOrPanic()
}

// addAuth encodes the peer's authentication: its chain, the first verified
// chain, whether it was authorized and why not.
func addAuth(b *cryptobyte.Builder, s *Session) {
	addChain := func(chain []*x509.Certificate) {
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, c := range chain {
				b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(c.Raw) })
			}
		})
	}
	addChain(s.PeerCertificates)
	var verified []*x509.Certificate
	if len(s.VerifiedChains) > 0 {
		verified = s.VerifiedChains[0]
	}
	addChain(verified)
	authorized, reason, code := uint8(0), "", ""
	if s.Authorized {
		authorized = 1
	}
	if s.AuthorizationError != nil {
		reason = s.AuthorizationError.Error()
		var ce *CertificateError
		if errors.As(s.AuthorizationError, &ce) {
			code = ce.Code
		}
	}
	b.AddUint8(authorized)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(reason)) })
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(code)) })
}

// sealedAuthError is an authorization error brought back from a ticket: its
// text as it was, and Node's code (errors.As finds the CertificateError).
type sealedAuthError struct {
	reason string
	cause  *CertificateError
}

func (e *sealedAuthError) Error() string { return e.reason }
func (e *sealedAuthError) Unwrap() error { return e.cause }

// readAuth decodes what addAuth wrote.
func readAuth(in *cryptobyte.String, s *Session) bool {
	readChain := func() ([]*x509.Certificate, bool) {
		var list cryptobyte.String
		if !in.ReadUint24LengthPrefixed(&list) {
			return nil, false
		}
		var chain []*x509.Certificate
		for !list.Empty() {
			var der cryptobyte.String
			if !list.ReadUint24LengthPrefixed(&der) {
				return nil, false
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, false
			}
			chain = append(chain, c)
		}
		return chain, true
	}
	peer, ok1 := readChain()
	verified, ok2 := readChain()
	var authorized uint8
	var reason, code cryptobyte.String
	if !ok1 || !ok2 || !in.ReadUint8(&authorized) || authorized > 1 || !in.ReadUint16LengthPrefixed(&reason) ||
		!in.ReadUint8LengthPrefixed(&code) {
		return false
	}
	s.PeerCertificates, s.Authorized = peer, authorized == 1
	if verified != nil {
		s.VerifiedChains = [][]*x509.Certificate{verified}
	}
	if len(reason) > 0 {
		s.AuthorizationError = &sealedAuthError{reason: string(reason), cause: &CertificateError{Code: string(code)}}
	}
	return true
}

// unmarshalSession decodes what marshal wrote.
func unmarshalSession(data []byte) (*Session, bool) {
	s := &Session{}
	in := cryptobyte.String(data)
	if !readSession(&in, s) || !in.Empty() {
		return nil, false
	}
	return s, true
}

// readSession decodes marshal's fields from in.
func readSession(in *cryptobyte.String, s *Session) bool {
	var created uint64
	var format uint8
	var master, ctx, alpn cryptobyte.String
	if !in.ReadUint8(&format) || format != sessionFormat || !in.ReadUint16(&s.Version) || !in.ReadUint16(&s.Suite) ||
		!in.ReadUint64(&created) || !in.ReadUint8LengthPrefixed(&master) || len(master) < 32 ||
		!in.ReadUint8LengthPrefixed(&ctx) || !in.ReadUint8LengthPrefixed(&alpn) || !in.ReadUint32(&s.AgeAdd) ||
		!in.ReadUint32(&s.MaxEarlyData) || !readAuth(in, s) {
		return false
	}
	s.CreatedAt = time.Unix(int64(created), 0)
	s.Master, s.Context, s.ALPN = append([]byte{}, master...), append([]byte{}, ctx...), string(alpn)
	return true
}

// marshalClient encodes a client's session: marshal's fields, then how
// the server named it and how long it honours it.
func (s *Session) marshalClient() []byte {
	var b cryptobyte.Builder
	b.AddBytes(s.marshal())
	b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.ID) })
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.Ticket) })
	b.AddUint32(uint32(s.Lifetime / time.Second))
	return b.BytesOrPanic()
}

// unmarshalClientSession decodes what marshalClient wrote.
func unmarshalClientSession(data []byte) (*Session, bool) {
	s := &Session{}
	in := cryptobyte.String(data)
	var id, ticket cryptobyte.String
	var lifetime uint32
	if !readSession(&in, s) || !in.ReadUint8LengthPrefixed(&id) || !in.ReadUint16LengthPrefixed(&ticket) ||
		!in.ReadUint32(&lifetime) || !in.Empty() {
		return nil, false
	}
	if len(id) > 0 {
		s.ID = append([]byte{}, id...)
	}
	if len(ticket) > 0 {
		s.Ticket = append([]byte{}, ticket...)
	}
	s.Lifetime = time.Duration(lifetime) * time.Second
	return s, true
}
