package engine_test

import (
	"crypto/tls"
	"fmt"
	"os"
	"time"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// exampleSetup is a CA, a server certificate for "example.test" and a
// client certificate, valid at certgen.Epoch.
func exampleSetup() (*certgen.CA, tls.Certificate, tls.Certificate, func() time.Time) {
	ca, _ := certgen.NewCA("example CA")
	server, _ := ca.Leaf(certgen.ECDSAP256, []string{"example.test"}, certgen.LeafOptions{})
	client, _ := ca.Leaf(certgen.ECDSAP256, []string{"client"}, certgen.LeafOptions{Client: true})
	return ca, server, client, func() time.Time { return certgen.Epoch }
}

// runHandshake runs a client and a server config to completion in memory.
func runHandshake(c, s *engine.Config) *enginetest.Pair {
	p, err := enginetest.NewPair(c, s)
	if err != nil {
		panic(err)
	}
	p.Handshake()
	return p
}

// Node's requestCert and ca: the server asks for a certificate, verifies it
// against its CAs, and reports the outcome (cleartextStream.authorized and
// authorizationError) without refusing the client.
func ExampleConfig_requestCert() {
	ca, serverCert, clientCert, now := exampleSetup()
	server := &engine.Config{Certificates: []tls.Certificate{serverCert},
		ClientAuth: tls.RequestClientCert, ClientCAs: ca.Pool} // requestCert: true, ca: [...]
	for _, certs := range [][]tls.Certificate{{clientCert}, nil} {
		client := &engine.Config{ServerName: "example.test", RootCAs: ca.Pool, Time: now, Certificates: certs}
		st := runHandshake(client, server).Server.ConnectionState()
		fmt.Println("server connected", st.Authorized, st.AuthorizationError)
	}
	// Output:
	// server connected true <nil>
	// server connected false tls: sent alert certificate_required: the client sent no certificate
}

// Node's rejectUnauthorized on a server: a client without a valid
// certificate is refused.
func ExampleConfig_rejectUnauthorized() {
	ca, serverCert, _, now := exampleSetup()
	server := &engine.Config{Certificates: []tls.Certificate{serverCert},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool} // requestCert + rejectUnauthorized
	client := &engine.Config{ServerName: "example.test", RootCAs: ca.Pool, Time: now}
	fmt.Println(runHandshake(client, server).Server.Err())
	// Output: tls: sent alert certificate_required: the client sent no certificate
}

// A client that accepts an unverified server and reports it (Node's
// rejectUnauthorized: false on tls.connect).
func ExampleConfig_insecureAcceptUnauthorized() {
	_, serverCert, _, now := exampleSetup()
	client := &engine.Config{ServerName: "example.test", InsecureAcceptUnauthorized: true, Time: now} // no ca
	st := runHandshake(client, &engine.Config{Certificates: []tls.Certificate{serverCert}}).Client.ConnectionState()
	fmt.Println(st.HandshakeComplete, st.Authorized, st.AuthorizationError != nil)
	// Output: true false true
}

// Node's NPNProtocols on both sides (TLS 1.2): the server's list, the
// client's choice, reported as npnProtocol on both.
func ExampleConfig_npnProtocols() {
	ca, serverCert, _, now := exampleSetup()
	server := &engine.Config{Certificates: []tls.Certificate{serverCert}, NPNProtocols: []string{"spdy/2", "http/1.1"}}
	client := &engine.Config{ServerName: "example.test", RootCAs: ca.Pool, Time: now,
		MaxVersion: tls.VersionTLS12, NPNProtocols: []string{"http/1.1"}}
	p := runHandshake(client, server)
	fmt.Println(p.Client.ConnectionState().NPNProtocol, p.Server.ConnectionState().NPNProtocol)
	// Output: http/1.1 http/1.1
}

// Node's SNICallback and its default: certificates chosen by server name,
// with wildcards, and the default certificate for other names; servername
// is reported on both sides.
func ExampleCertificatesByName() {
	ca, defaultCert, _, now := exampleSetup()
	a, _ := ca.Leaf(certgen.ECDSAP256, []string{"a.example"}, certgen.LeafOptions{})
	wild, _ := ca.Leaf(certgen.ECDSAP256, []string{"*.wild.example"}, certgen.LeafOptions{})
	byName := engine.CertificatesByName{"a.example": &a, "*.wild.example": &wild}
	server := &engine.Config{Certificates: []tls.Certificate{defaultCert}, GetCertificate: byName.GetCertificate}
	for _, name := range []string{"a.example", "x.wild.example", "example.test"} {
		client := &engine.Config{ServerName: name, RootCAs: ca.Pool, Time: now}
		p := runHandshake(client, server)
		st := p.Client.ConnectionState()
		fmt.Println(p.Server.ConnectionState().ServerName, st.PeerCertificates[0].Subject.CommonName, st.Authorized)
	}
	// Output:
	// a.example a.example true
	// x.wild.example *.wild.example true
	// example.test example.test true
}

// Node's sessionIdContext: TLS 1.2 sessions resume only under the context
// they were made in.
func ExampleConfig_sessionIDContext() {
	ca, serverCert, _, now := exampleSetup()
	cache := engine.NewServerSessionCache(16)
	server := func(ctx string) *engine.Config {
		return &engine.Config{Certificates: []tls.Certificate{serverCert}, ServerSessionCache: cache, SessionIDContext: []byte(ctx)}
	}
	client := &engine.Config{ServerName: "example.test", RootCAs: ca.Pool, Time: now, MaxVersion: tls.VersionTLS12,
		ClientSessionCache: engine.NewClientSessionCache(4)}
	for _, ctx := range []string{"A", "A", "B"} {
		fmt.Println(ctx, runHandshake(client, server(ctx)).Client.ConnectionState().DidResume)
	}
	// Output:
	// A false
	// A true
	// B false
}

// Node's key, cert and passphrase: a PEM chain and an encrypted PEM key.
func ExampleLoadKeyPair() {
	certPEM, _ := os.ReadFile("../testdata/keys/rsa-cert.pem")
	keyPEM, _ := os.ReadFile("../testdata/keys/pkcs8-aes256-sha256-rsa.pem") // openssl pkcs8 -topk8 -v2 aes-256-cbc
	cert, err := engine.LoadKeyPair(certPEM, keyPEM, "correct horse")
	fmt.Println(err, cert.PrivateKey != nil)
	_, err = engine.LoadKeyPair(certPEM, keyPEM, "wrong")
	fmt.Println(err)
	// Output:
	// <nil> true
	// securepair: wrong passphrase for the private key
}

// Node's length-prefixed NPN buffer becomes Config.NPNProtocols.
func ExampleParseNPNList() {
	protos, err := engine.ParseNPNList([]byte("\x06spdy/2\x08http/1.1"))
	fmt.Println(protos, err)
	// Output: [spdy/2 http/1.1] <nil>
}
