package redisstore

import (
	"testing"

	"github.com/securepair/securepair/store/redis/redistest"
)

// redisServer is a redis-server for one test, with stores opened on it.
type redisServer struct {
	*redistest.Server
	t *testing.T
}

func startRedis(t *testing.T) *redisServer { return &redisServer{redistest.Start(t), t} }

// open connects stores to the server with opts.
func (r *redisServer) open(opts Options) *Stores {
	r.t.Helper()
	s, err := Open(r.URL(), opts)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { s.Close() })
	return s
}
