package machine

import (
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

func errUnexpected(got handshake.MessageType, want string) error {
	return record.Errorf(record.AlertUnexpectedMessage, "got handshake message %d, want %s", got, want)
}

func illegal(format string, args ...any) error {
	return record.Errorf(record.AlertIllegalParameter, format, args...)
}

func internal(err error) error {
	if _, ok := err.(*record.AlertError); ok {
		return err
	}
	return record.Errorf(record.AlertInternalError, "%w", err)
}

func decodeErr(what string) error {
	return record.Errorf(record.AlertDecodeError, "malformed %s", what)
}
