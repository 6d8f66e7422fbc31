module github.com/securepair/securepair

go 1.26.0

require (
	github.com/andybalholm/brotli v1.0.6
	github.com/klauspost/compress v1.17.4
	github.com/refraction-networking/utls v1.8.2
	golang.org/x/crypto v0.59.0
	golang.org/x/net v0.63.0
	pgregory.net/rapid v1.3.0
)

require (
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
