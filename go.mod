module github.com/securepair/securepair

go 1.26

require (
	github.com/andybalholm/brotli v1.0.6
	github.com/klauspost/compress v1.17.4
	github.com/refraction-networking/utls v1.8.2
	golang.org/x/crypto v0.36.0
	pgregory.net/rapid v1.3.0
)

require golang.org/x/sys v0.31.0 // indirect
