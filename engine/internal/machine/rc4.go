package machine

import (
	"slices"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// rc4Suites are the IANA cipher suites with RC4, which RFC 7465 forbids.
var rc4Suites = []uint16{
	0x0003, 0x0004, 0x0005, 0x0017, 0x0018, 0x0020, 0x0024, 0x0028, 0x002b,
	0x008a, 0x008e, 0x0092, 0xc002, 0xc007, 0xc00c, 0xc011, 0xc016, 0xc033,
}

// noSuiteInCommon is the refusal when no offered suite is acceptable:
// insufficient_security when the client offers only RC4 (RFC 7465 section
// 2), else handshake_failure.
func noSuiteInCommon(offered []uint16, what string) error {
	suites := slices.DeleteFunc(slices.Clone(offered), func(id uint16) bool {
		return handshake.IsGREASE(id) || id == handshake.TLS_EMPTY_RENEGOTIATION_INFO_SCSV || id == handshake.TLS_FALLBACK_SCSV
	})
	if len(suites) > 0 && !slices.ContainsFunc(suites, func(id uint16) bool { return !slices.Contains(rc4Suites, id) }) {
		return record.Errorf(record.AlertInsufficientSecurity, "the client offers only RC4 suites, which RFC 7465 forbids")
	}
	return record.Errorf(record.AlertHandshakeFailure, "%s", what)
}
