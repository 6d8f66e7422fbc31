//go:build !unix

package transport

import "io"

func socketReader(io.Reader) LazyReader { return nil }
