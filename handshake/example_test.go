package handshake_test

import (
	"fmt"

	"github.com/securepair/securepair/handshake"
)

// Node's length-prefixed NPN list becomes a []string.
func ExampleParseNPNList() {
	protos, err := handshake.ParseNPNList([]byte("\x06spdy/2\x08http/1.1"))
	fmt.Println(protos, err)
	// Output: [spdy/2 http/1.1] <nil>
}
