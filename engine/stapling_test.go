package engine_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// stapledLeaf is the ECDSA fixture leaf with an OCSP response from the CA
// (status good or revoked) and two SCTs.
func stapledLeaf(t *testing.T, status int) tls.Certificate {
	t.Helper()
	ca, leaves := fixtures(t)
	leaf := leaves[certgen.ECDSAP256]
	parsed, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ocsp.CreateResponse(ca.Cert, ca.Cert, ocsp.Response{Status: status, SerialNumber: parsed.SerialNumber,
		ThisUpdate: fixedTime().Add(-time.Hour), NextUpdate: fixedTime().Add(time.Hour), RevokedAt: fixedTime().Add(-time.Minute)}, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	leaf.OCSPStaple = resp
	leaf.SignedCertificateTimestamps = [][]byte{[]byte("sct one"), []byte("sct two")}
	return leaf
}

// connectGoServer runs our client against a crypto/tls server and returns
// our side's state.
func connectGoServer(t *testing.T, goCfg *tls.Config, cfg *engine.Config) engine.ConnectionState {
	t.Helper()
	nc, done := goServer(t, goCfg)
	e, err := engine.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := adapters.NewConn(nc, e)
	if err := c.Handshake(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustEcho(t, c, []byte("hello"))
	c.Close()
	if res := <-done; res.err != nil {
		t.Fatal(res.err)
	}
	return e.ConnectionState()
}

// The server staples its OCSP response and sends its SCTs when the client
// asks (our client asks by default), in TLS 1.3 on the leaf's
// CertificateEntry and in TLS 1.2 in CertificateStatus and the ServerHello:
// ours to ours, ours to crypto/tls, crypto/tls to ours.
func TestStaplingAndSCTs(t *testing.T) {
	ca, _ := fixtures(t)
	leaf := stapledLeaf(t, ocsp.Good)
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		check := func(t *testing.T, who string, resp []byte, scts [][]byte) {
			t.Helper()
			if !bytes.Equal(resp, leaf.OCSPStaple) || !slices.EqualFunc(scts, leaf.SignedCertificateTimestamps, bytes.Equal) {
				t.Fatalf("%s got staple %d bytes, %d SCTs", who, len(resp), len(scts))
			}
		}
		t.Run(fmt.Sprintf("ours to ours %#04x", v), func(t *testing.T) {
			c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
			c.MaxVersion, s.Certificates = v, []tls.Certificate{leaf}
			st := handshakePair(t, c, s).Client.ConnectionState()
			check(t, "our client", st.OCSPResponse, st.SignedCertificateTimestamps)
			if _, err := engine.CheckOCSP(st, fixedTime()); err != nil {
				t.Fatalf("CheckOCSP: %v", err)
			}
		})
		t.Run(fmt.Sprintf("crypto/tls client %#04x", v), func(t *testing.T) {
			s := serverConfig(t, certgen.ECDSAP256)
			s.Certificates = []tls.Certificate{leaf}
			_, theirs := serveGoClient(t, &tls.Config{RootCAs: ca.Pool, ServerName: testHost, Time: fixedTime, MaxVersion: v}, []byte("x"), s)
			check(t, "crypto/tls", theirs.OCSPResponse, theirs.SignedCertificateTimestamps)
		})
		t.Run(fmt.Sprintf("crypto/tls server %#04x", v), func(t *testing.T) {
			c := clientConfig(t)
			c.MaxVersion = v
			st := connectGoServer(t, &tls.Config{Certificates: []tls.Certificate{leaf}, MaxVersion: v}, c)
			check(t, "our client", st.OCSPResponse, st.SignedCertificateTimestamps)
		})
	}
}

// A client that does not ask gets neither: a hello without status_request
// or signed_certificate_timestamp.
func TestNoStaplingUnasked(t *testing.T) {
	c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	c.ClientHelloSpec = enginetest.LegacyHello12(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, false)
	s.Certificates = []tls.Certificate{stapledLeaf(t, ocsp.Good)}
	st := handshakePair(t, c, s).Client.ConnectionState()
	if st.OCSPResponse != nil || st.SignedCertificateTimestamps != nil {
		t.Fatal("stapled without being asked")
	}
}

// CheckOCSP refuses a revoked certificate, a stale response and a missing
// one.
func TestCheckOCSP(t *testing.T) {
	c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	s.Certificates = []tls.Certificate{stapledLeaf(t, ocsp.Revoked)}
	st := handshakePair(t, c, s).Client.ConnectionState()
	if _, err := engine.CheckOCSP(st, fixedTime()); err == nil {
		t.Fatal("a revoked certificate passed")
	}
	s.Certificates = []tls.Certificate{stapledLeaf(t, ocsp.Good)}
	st = handshakePair(t, c, s).Client.ConnectionState()
	if _, err := engine.CheckOCSP(st, fixedTime().Add(2*time.Hour)); err == nil {
		t.Fatal("a stale response passed")
	}
	st.OCSPResponse = nil
	if _, err := engine.CheckOCSP(st, fixedTime()); !errors.Is(err, engine.ErrNoOCSPResponse) {
		t.Fatalf("no response: %v", err)
	}
}
