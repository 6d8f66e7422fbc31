package engine_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securepair/securepair/engine"
)

// Keys encrypted the ways openssl encrypts them load with the right
// passphrase and fail clearly with a wrong one (fixtures: testdata/keys/make.sh).
func TestLoadKeyPairEncrypted(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "keys", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct{ key, cert string }{
		{"plain-rsa.pem", "rsa-cert.pem"},
		{"legacy-aes256-rsa.pem", "rsa-cert.pem"},
		{"pkcs8-aes256-sha256-rsa.pem", "rsa-cert.pem"},
		{"pkcs8-aes128-sha1-rsa.pem", "rsa-cert.pem"},
		{"legacy-aes256-ec.pem", "ec-cert.pem"},
		{"pkcs8-aes256-sha256-ec.pem", "ec-cert.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			cert, err := engine.LoadKeyPair(read(tt.cert), read(tt.key), "correct horse")
			if err != nil || cert.PrivateKey == nil {
				t.Fatalf("right passphrase: %v", err)
			}
			if strings.HasPrefix(tt.key, "plain") {
				return
			}
			if _, err := engine.LoadKeyPair(read(tt.cert), read(tt.key), "wrong horse"); !errors.Is(err, engine.ErrWrongPassphrase) {
				t.Fatalf("wrong passphrase: %v", err)
			}
			if _, err := engine.LoadKeyPair(read(tt.cert), read(tt.key), ""); err == nil || !strings.Contains(err.Error(), "passphrase is needed") {
				t.Fatalf("no passphrase: %v", err)
			}
		})
	}
	pool, err := engine.CertPoolFromPEM(read("rsa-cert.pem"), read("ec-cert.pem"))
	if err != nil || pool == nil {
		t.Fatalf("ca list: %v", err)
	}
}
