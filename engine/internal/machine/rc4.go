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
	if onlyRC4(offered) {
		return record.Errorf(record.AlertInsufficientSecurity, "the client offers only RC4 suites, which RFC 7465 forbids")
	}
	return record.Errorf(record.AlertHandshakeFailure, "%s", what)
}

// onlyRC4 reports whether every real suite offered (GREASE and signalling
// values aside) is an RC4 one, and there is at least one.
func onlyRC4(offered []uint16) bool {
	sawRC4 := false
	for _, id := range offered {
		if handshake.IsGREASE(id) || id == handshake.TLS_EMPTY_RENEGOTIATION_INFO_SCSV || id == handshake.TLS_FALLBACK_SCSV {
			continue
		}
		if !slices.Contains(rc4Suites, id) {
			return false
		}
		sawRC4 = true
	}
	return sawRC4
}
