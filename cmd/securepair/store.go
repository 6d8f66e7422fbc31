package main

import (
	"fmt"
	"io"

	"github.com/securepair/securepair/engine"
	redisstore "github.com/securepair/securepair/store/redis"
)

// applyStore is -store: memory keeps the in-process caches cfg has; a
// redis:// or rediss:// URL puts ticket keys, TLS 1.2 sessions and 0-RTT
// records in that Redis, shared with every server using it.
func applyStore(cfg *engine.Config, store string, stderr io.Writer) error {
	if store == "memory" {
		return nil
	}
	stores, err := redisstore.Open(store, redisstore.Options{})
	if err != nil {
		return fmt.Errorf("-store: %w", err)
	}
	stores.Configure(cfg)
	fmt.Fprintf(stderr, "session state in %s\n", store)
	return nil
}
