//go:build !race

// Package racebuild tells tests whether the race detector is built in: it
// changes what escapes to the heap, so allocation counts are measured
// without it (test.sh runs the allocation tests a second time for that).
package racebuild

// Enabled reports whether the race detector is built in.
const Enabled = false
