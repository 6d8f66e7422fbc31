package machine

import (
	"testing"

	"github.com/securepair/securepair/record"
)

// Malformed staples and timestamp lists are decode_error (RFC 8446 section
// 6.2); well-formed ones round-trip.
func TestStaplingCodecs(t *testing.T) {
	if resp, err := readCertificateStatus(certificateStatusBody([]byte("resp"))); err != nil || string(resp) != "resp" {
		t.Fatalf("round trip: %q, %v", resp, err)
	}
	if scts, err := readSCTList(sctListData([][]byte{[]byte("a"), []byte("bc")})); err != nil || len(scts) != 2 || string(scts[1]) != "bc" {
		t.Fatalf("round trip: %q, %v", scts, err)
	}
	statuses := map[string][]byte{
		"empty":          {},
		"not OCSP":       {2, 0, 0, 1, 'x'},
		"short":          {1, 0, 0, 5, 'x'},
		"empty response": {1, 0, 0, 0},
		"trailing bytes": {1, 0, 0, 1, 'x', 'y'},
	}
	for name, body := range statuses {
		t.Run("CertificateStatus "+name, func(t *testing.T) {
			_, err := readCertificateStatus(body)
			wantAlert(t, err, record.AlertDecodeError)
		})
	}
	lists := map[string][]byte{
		"empty":          {},
		"empty list":     {0, 0},
		"empty SCT":      {0, 2, 0, 0},
		"short":          {0, 5, 0, 3, 'a'},
		"trailing bytes": {0, 3, 0, 1, 'a', 'z'},
	}
	for name, data := range lists {
		t.Run("SCT list "+name, func(t *testing.T) {
			_, err := readSCTList(data)
			wantAlert(t, err, record.AlertDecodeError)
		})
	}
}
