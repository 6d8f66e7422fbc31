package engine_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// echServer is our server with ECH key(s) and a certificate for the inner
// name and the public name (a client whose offer is declined checks the
// certificate against the public name).
func echServer(t *testing.T, keys ...engine.EncryptedClientHelloKey) *engine.Config {
	ca, _ := fixtures(t)
	leaf, err := ca.Leaf(certgen.ECDSAP256, []string{"inner.test", "public.test"}, certgen.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Config{Certificates: []tls.Certificate{leaf}, Time: fixedTime, EncryptedClientHelloKeys: keys}
}

// crypto/tls's ECH client against our server: the inner hello is taken
// (both sides report ECHAccepted, the server sees the inner name); with a
// configuration the server does not hold, the offer is declined, the
// client gets the server's retry configurations, and with them the next
// attempt is accepted.
func TestECHWithGoClient(t *testing.T) {
	ca, _ := fixtures(t)
	key, err := engine.NewECHKey(rand.Reader, 7, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	s := echServer(t, key)
	goCfg := func(list []byte) *tls.Config {
		return &tls.Config{RootCAs: ca.Pool, ServerName: "inner.test", Time: fixedTime, MinVersion: tls.VersionTLS13,
			EncryptedClientHelloConfigList: list}
	}

	ours, theirs := serveGoClient(t, goCfg(engine.ECHConfigList(key)), []byte("secret"), s)
	if !ours.ECHAccepted || !theirs.ECHAccepted || ours.ServerName != "inner.test" {
		t.Fatalf("ours accepted %v (name %q), theirs %v", ours.ECHAccepted, ours.ServerName, theirs.ECHAccepted)
	}

	stale, err := engine.NewECHKey(rand.Reader, 7, "public.test") // same id, another key
	if err != nil {
		t.Fatal(err)
	}
	nc, done := goClient(t, goCfg(engine.ECHConfigList(stale)), []byte("x"))
	e, _ := engine.NewServer(s)
	serveEcho(e, nc, false) // the client aborts with ech_required
	res := <-done
	var rejected *tls.ECHRejectionError
	if !errors.As(res.err, &rejected) || !bytes.Equal(rejected.RetryConfigList, engine.ECHConfigList(key)) {
		t.Fatalf("a declined offer: %v", res.err)
	}
	if e.ConnectionState().ECHAccepted || e.ConnectionState().ServerName != "public.test" {
		t.Fatalf("server: accepted %v, name %q", e.ConnectionState().ECHAccepted, e.ConnectionState().ServerName)
	}
	ours, theirs = serveGoClient(t, goCfg(rejected.RetryConfigList), []byte("again"), s)
	if !ours.ECHAccepted || !theirs.ECHAccepted {
		t.Fatal("the retry configurations were not accepted")
	}
}

// Our client with a Chrome shape sends GREASE ECH to our ECH server: no key
// opens it, so the outer hello goes on, the retry configurations go back
// (and are ignored), and the handshake completes (draft-ietf-tls-esni
// section 6.2).
func TestGreaseECHAgainstOurECHServer(t *testing.T) {
	key, err := engine.NewECHKey(rand.Reader, 9, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	c := clientConfig(t)
	c.ServerName = "inner.test"
	chrome := utls.HelloChrome_Auto
	c.ClientHelloID = &chrome
	p := handshakePair(t, c, echServer(t, key))
	if st := p.Server.ConnectionState(); st.ECHAccepted || st.ServerName != "inner.test" || !p.Client.ConnectionState().Authorized {
		t.Fatalf("server state %+v", st)
	}
}

// Our ECH client against a crypto/tls ECH server and against ours: the
// inner hello is taken (the server sees the inner name, both report
// ECHAccepted); with a stale configuration the server declines, the client
// authenticates it for the public name and fails with ech_required and an
// ECHRejectionError carrying the retry configurations, which then work.
func TestECHClient(t *testing.T) {
	ca, _ := fixtures(t)
	key, err := engine.NewECHKey(rand.Reader, 4, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	stale, err := engine.NewECHKey(rand.Reader, 4, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf(certgen.ECDSAP256, []string{"inner.test", "public.test"}, certgen.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	servers := []struct {
		name string
		run  func(t *testing.T, c *engine.Config) (engine.ConnectionState, bool, error) // ours, theirs accepted
	}{
		{"crypto/tls server", func(t *testing.T, c *engine.Config) (engine.ConnectionState, bool, error) {
			return throughGoECHServer(t, leaf, key, nil, c)
		}},
		{"our server", func(t *testing.T, c *engine.Config) (engine.ConnectionState, bool, error) {
			s := echServer(t, key)
			p, err := enginetest.NewPair(c, s)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Handshake()
			if err != nil {
				p.Step()
			}
			ss := p.Server.ConnectionState()
			if err == nil && ss.ServerName != "inner.test" {
				t.Fatalf("our server saw %q", ss.ServerName)
			}
			return p.Client.ConnectionState(), ss.ECHAccepted, p.Client.Err()
		}},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			c := clientConfig(t)
			c.ServerName, c.EncryptedClientHelloConfigList = "inner.test", engine.ECHConfigList(key)
			st, theirs, err := srv.run(t, c)
			if err != nil || !st.ECHAccepted || !theirs || st.ServerName != "inner.test" {
				t.Fatalf("accepted: ours %v, theirs %v, %v", st.ECHAccepted, theirs, err)
			}

			c.EncryptedClientHelloConfigList = engine.ECHConfigList(stale)
			_, _, err = srv.run(t, c)
			var rejected *engine.ECHRejectionError
			var ae *engine.AlertError
			if !errors.As(err, &rejected) || !errors.As(err, &ae) || ae.Alert != 121 || !bytes.Equal(rejected.RetryConfigList, engine.ECHConfigList(key)) {
				t.Fatalf("declined: %v", err)
			}
			c.EncryptedClientHelloConfigList = rejected.RetryConfigList
			if st, theirs, err = srv.run(t, c); err != nil || !st.ECHAccepted || !theirs {
				t.Fatalf("with the retry configurations: %v", err)
			}
		})
	}
}

// A Chrome-shaped client with a real ECH configuration: the outer hello is
// Chrome's (its GREASE ECH extension replaced by the real one), the inner
// hello is taken by a crypto/tls server and by ours.
func TestECHWithChromeShape(t *testing.T) {
	ca, _ := fixtures(t)
	key, err := engine.NewECHKey(rand.Reader, 5, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf(certgen.ECDSAP256, []string{"inner.test", "public.test"}, certgen.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := clientConfig(t)
	chrome := utls.HelloChrome_Auto
	c.ServerName, c.ClientHelloID, c.EncryptedClientHelloConfigList = "inner.test", &chrome, engine.ECHConfigList(key)

	nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS13,
		EncryptedClientHelloKeys: []tls.EncryptedClientHelloKey{{Config: key.Config, PrivateKey: key.PrivateKey, SendAsRetry: true}}})
	e, err := engine.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	outer := firstHello(t, e, nc)
	if outer.ServerName != "public.test" || !outer.HasExtension(0xfe0d) || !strings.HasPrefix(e.ConnectionState().Fingerprint.JA4, "t13d") {
		t.Fatalf("outer hello: name %q", outer.ServerName)
	}
	conn := adapters.NewConn(nc, e)
	if err := conn.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustEcho(t, conn, []byte("chrome through ECH"))
	conn.Close()
	if res := <-done; res.err != nil || !res.st.ECHAccepted || !e.ConnectionState().ECHAccepted {
		t.Fatalf("crypto/tls: %v, accepted %v", res.err, res.st.ECHAccepted)
	}

	p := handshakePair(t, c, echServer(t, key))
	if !p.Server.ConnectionState().ECHAccepted || p.Server.ConnectionState().ServerName != "inner.test" {
		t.Fatal("our server did not take the Chrome-shaped client's inner hello")
	}
}

// ECH across a HelloRetryRequest (draft-ietf-tls-esni section 7.2.1): a
// server that wants another group takes the inner hello in its
// HelloRetryRequest, the second outer hello carries the second inner one
// sealed with the same HPKE context, and the handshake ends accepted;
// crypto/tls's client with our server, ours with crypto/tls's server, and
// ours with ours.
func TestECHWithHelloRetryRequest(t *testing.T) {
	ca, _ := fixtures(t)
	key, err := engine.NewECHKey(rand.Reader, 6, "public.test")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf(certgen.ECDSAP256, []string{"inner.test", "public.test"}, certgen.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	onlyP256 := []tls.CurveID{tls.CurveP256}

	t.Run("crypto/tls client, our server", func(t *testing.T) {
		s := echServer(t, key)
		s.CurvePreferences = onlyP256
		ours, theirs := serveGoClient(t, &tls.Config{RootCAs: ca.Pool, ServerName: "inner.test", Time: fixedTime,
			MinVersion: tls.VersionTLS13, EncryptedClientHelloConfigList: engine.ECHConfigList(key),
			CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}}, []byte("retried"), s)
		if !ours.DidHelloRetry || !ours.ECHAccepted || !theirs.ECHAccepted || ours.ServerName != "inner.test" {
			t.Fatalf("retry %v, ours %v (%q), theirs %v", ours.DidHelloRetry, ours.ECHAccepted, ours.ServerName, theirs.ECHAccepted)
		}
	})
	client := func() *engine.Config {
		c := clientConfig(t)
		c.ServerName, c.EncryptedClientHelloConfigList = "inner.test", engine.ECHConfigList(key)
		c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}
		return c
	}
	t.Run("our client, crypto/tls server", func(t *testing.T) {
		st, theirs, err := throughGoECHServer(t, leaf, key, onlyP256, client())
		if err != nil || !st.DidHelloRetry || !st.ECHAccepted || !theirs {
			t.Fatalf("%v: retry %v, ours %v, theirs %v", err, st.DidHelloRetry, st.ECHAccepted, theirs)
		}
	})
	t.Run("ours with ours", func(t *testing.T) {
		s := echServer(t, key)
		s.CurvePreferences = onlyP256
		p := handshakePair(t, client(), s)
		if cs, ss := p.Client.ConnectionState(), p.Server.ConnectionState(); !cs.DidHelloRetry || !cs.ECHAccepted || !ss.ECHAccepted || ss.ServerName != "inner.test" {
			t.Fatalf("client %+v\nserver %+v", cs, ss)
		}
	})
}

// throughGoECHServer runs our client c against a crypto/tls server holding
// key (limited to curves when set), echoing once: our state, whether the
// server took the inner hello, and the handshake's error.
func throughGoECHServer(t *testing.T, leaf tls.Certificate, key engine.EncryptedClientHelloKey, curves []tls.CurveID, c *engine.Config) (engine.ConnectionState, bool, error) {
	t.Helper()
	nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS13, CurvePreferences: curves,
		EncryptedClientHelloKeys: []tls.EncryptedClientHelloKey{{Config: key.Config, PrivateKey: key.PrivateKey, SendAsRetry: true}}})
	e, err := engine.NewClient(c)
	if err != nil {
		t.Fatal(err)
	}
	conn := adapters.NewConn(nc, e)
	err = conn.Handshake(context.Background())
	if err == nil {
		mustEcho(t, conn, []byte("through ECH"))
	}
	conn.Close()
	res := <-done
	return e.ConnectionState(), res.st.ECHAccepted, err
}
