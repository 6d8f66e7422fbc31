#!/usr/bin/env bash
# Regenerates the encrypted-key fixtures with the openssl commands the seed's
# users run. Passphrase: "correct horse".
set -euo pipefail
cd "$(dirname "$0")"
pass="pass:correct horse"
openssl genrsa -out plain-rsa.pem 2048
openssl req -new -x509 -key plain-rsa.pem -subj /CN=keys.test -days 3650 -out rsa-cert.pem
openssl rsa -in plain-rsa.pem -aes256 -traditional -passout "$pass" -out legacy-aes256-rsa.pem
openssl pkcs8 -topk8 -in plain-rsa.pem -v2 aes-256-cbc -passout "$pass" -out pkcs8-aes256-sha256-rsa.pem
openssl pkcs8 -topk8 -in plain-rsa.pem -v2 aes-128-cbc -v2prf hmacWithSHA1 -passout "$pass" -out pkcs8-aes128-sha1-rsa.pem
openssl ecparam -name prime256v1 -genkey -noout -out plain-ec.pem
openssl req -new -x509 -key plain-ec.pem -subj /CN=keys.test -days 3650 -out ec-cert.pem
openssl ec -in plain-ec.pem -aes256 -passout "$pass" -out legacy-aes256-ec.pem
openssl pkcs8 -topk8 -in plain-ec.pem -v2 aes-256-cbc -passout "$pass" -out pkcs8-aes256-sha256-ec.pem
