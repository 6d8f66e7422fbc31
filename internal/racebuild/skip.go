package racebuild

import "testing"

// SkipUnderRace skips a test that counts allocations: the race detector
// moves values to the heap. test.sh runs those tests without it too.
func SkipUnderRace(t testing.TB) {
	if Enabled {
		t.Skip("allocation counts are measured without -race")
	}
}
