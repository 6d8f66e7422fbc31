module github.com/securepair/securepair/cmd/securepair

go 1.26.0

require (
	github.com/panjf2000/gnet/v2 v2.9.7
	github.com/refraction-networking/utls v1.8.2
	github.com/securepair/securepair v0.0.0
	github.com/securepair/securepair/adapters/gnet v0.0.0
	github.com/securepair/securepair/store/redis v0.0.0
)

require (
	github.com/andybalholm/brotli v1.0.6 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/klauspost/compress v1.17.4 // indirect
	github.com/panjf2000/ants/v2 v2.11.3 // indirect
	github.com/redis/go-redis/v9 v9.23.0 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	go.uber.org/zap v1.27.0 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/net v0.63.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	gopkg.in/natefinch/lumberjack.v2 v2.2.1 // indirect
)

replace (
	github.com/securepair/securepair => ../..
	github.com/securepair/securepair/adapters/gnet => ../../adapters/gnet
	github.com/securepair/securepair/store/redis => ../../store/redis
)
