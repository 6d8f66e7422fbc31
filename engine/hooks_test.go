package engine_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/securepairtest/certgen"
)

// hookCalls records what the verification hooks of one Config saw.
type hookCalls struct {
	raw    [][][]byte
	chains []int
	states []engine.ConnectionState
	fail   error // returned by VerifyConnection when set
}

func (h *hookCalls) install(cfg *engine.Config) {
	cfg.VerifyPeerCertificate = func(raw [][]byte, chains [][]*x509.Certificate) error {
		h.raw, h.chains = append(h.raw, raw), append(h.chains, len(chains))
		return nil
	}
	cfg.VerifyConnection = func(st engine.ConnectionState) error {
		h.states = append(h.states, st)
		return h.fail
	}
}

// hookConfigs are a client and a server that resume (tickets) and
// authenticate both ways, at version.
func hookConfigs(t *testing.T, version uint16) (c, s *engine.Config, clientCert tls.Certificate) {
	ca, _ := fixtures(t)
	c, s = clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	clientCert = clientLeaf(t, ca, certgen.ECDSAP256)
	c.MaxVersion, c.ClientSessionCache, c.Certificates = version, engine.NewClientSessionCache(4), []tls.Certificate{clientCert}
	s.TicketKeys, s.ClientAuth, s.ClientCAs = engine.NewTicketKeys(0, 0), tls.RequireAndVerifyClientCert, ca.Pool
	return c, s, clientCert
}

// Both hooks run once per handshake, full and resumed, in both roles and
// both versions, with the peer's certificates, the verified chains and the
// negotiated state.
func TestVerificationHooksCalled(t *testing.T) {
	_, leaves := fixtures(t)
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, role := range []string{"client", "server"} {
			t.Run(fmt.Sprintf("%s/%#04x", role, version), func(t *testing.T) {
				c, s, clientCert := hookConfigs(t, version)
				var h hookCalls
				peerLeaf := leaves[certgen.ECDSAP256].Certificate[0]
				if role == "client" {
					h.install(c)
				} else {
					h.install(s)
					peerLeaf = clientCert.Certificate[0]
				}
				for i := range 2 {
					p := handshakePair(t, c, s)
					if err := p.Write(p.Server, []byte("tickets")); err != nil {
						t.Fatal(err)
					}
					if resumed := p.Client.ConnectionState().DidResume; resumed != (i == 1) {
						t.Fatalf("handshake %d resumed %v", i, resumed)
					}
				}
				if len(h.raw) != 2 || len(h.states) != 2 {
					t.Fatalf("VerifyPeerCertificate called %d times, VerifyConnection %d, want 2 each", len(h.raw), len(h.states))
				}
				for i := range 2 {
					if len(h.raw[i]) == 0 || !bytes.Equal(h.raw[i][0], peerLeaf) || h.chains[i] == 0 {
						t.Fatalf("handshake %d: the hook saw %d certificates, %d chains", i, len(h.raw[i]), h.chains[i])
					}
					st := h.states[i]
					if st.Version != version || st.DidResume != (i == 1) || !st.Authorized || len(st.PeerCertificates) == 0 {
						t.Fatalf("handshake %d: VerifyConnection saw %+v", i, st)
					}
				}
			})
		}
	}
}

// A hook's error fails the handshake on its side with bad_certificate, or
// with the alert an AlertError names; the peer receives that alert; the
// side's error unwraps to the hook's.
func TestVerificationHookRefuses(t *testing.T) {
	plain := errors.New("not this one")
	named := &engine.AlertError{Alert: engine.AlertAccessDenied, Reason: "policy"}
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, role := range []string{"client", "server"} {
			for _, tc := range []struct {
				err   error
				alert engine.Alert
			}{{plain, engine.AlertBadCertificate}, {named, engine.AlertAccessDenied}} {
				t.Run(fmt.Sprintf("%s/%#04x/%v", role, version, tc.alert), func(t *testing.T) {
					c, s, _ := hookConfigs(t, version)
					h := hookCalls{fail: tc.err}
					refuser, other := func(p *enginetest.Pair) *engine.Engine { return p.Client }, func(p *enginetest.Pair) *engine.Engine { return p.Server }
					if role == "client" {
						h.install(c)
					} else {
						h.install(s)
						refuser, other = other, refuser
					}
					p, err := enginetest.NewPair(c, s)
					if err != nil {
						t.Fatal(err)
					}
					if p.Handshake() == nil {
						t.Fatal("the handshake completed")
					}
					p.Step() // the alert reaches the peer
					var mine, theirs *engine.AlertError
					if !errors.As(refuser(p).Err(), &mine) || mine.Alert != tc.alert || mine.Remote || !errors.Is(refuser(p).Err(), tc.err) {
						t.Fatalf("the refusing side: %v", refuser(p).Err())
					}
					if !errors.As(other(p).Err(), &theirs) || theirs.Alert != tc.alert || !theirs.Remote {
						t.Fatalf("the peer: %v", other(p).Err())
					}
				})
			}
		}
	}
}

// With InsecureAcceptUnauthorized the hooks still run: the peer's
// certificates with no verified chain, and a state that is not authorized.
func TestVerificationHooksRunWhenInsecure(t *testing.T) {
	other, err := certgen.NewCA("another CA")
	if err != nil {
		t.Fatal(err)
	}
	c, s := clientConfig(t), serverConfig(t, certgen.ECDSAP256)
	c.RootCAs, c.InsecureAcceptUnauthorized = other.Pool, true
	var h hookCalls
	h.install(c)
	handshakePair(t, c, s)
	if len(h.raw) != 1 || len(h.raw[0]) == 0 || h.chains[0] != 0 || len(h.states) != 1 || h.states[0].Authorized {
		t.Fatalf("hooks saw %d calls, chains %v, states %+v", len(h.raw), h.chains, h.states)
	}
}
