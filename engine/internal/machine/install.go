package machine

import "github.com/securepair/securepair/handshake"

// setReadSecret installs the read protection of a TLS 1.3 traffic secret.
func setReadSecret(out Sink, level Level, s *handshake.Suite, secret []byte) error {
	p, err := s.NewProtector(secret)
	if err != nil {
		return internal(err)
	}
	return out.SetReadKey(level, p)
}

// setWriteSecret installs the write protection of a TLS 1.3 traffic secret.
func setWriteSecret(out Sink, level Level, s *handshake.Suite, secret []byte) error {
	p, err := s.NewProtector(secret)
	if err != nil {
		return internal(err)
	}
	return out.SetWriteKey(level, p)
}
