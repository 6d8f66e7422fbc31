package engine_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"sort"
	"testing"

	utls "github.com/refraction-networking/utls"

	"github.com/securepair/securepair/adapters"
	"github.com/securepair/securepair/engine"
	"github.com/securepair/securepair/engine/enginetest"
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/securepairtest/certgen"
	"github.com/securepair/securepair/transport"
)

// ourServerRefuses lists the uTLS shapes our server turns away, with why:
// they offer TLS 1.2 with AES-CBC suites only, which our client speaks but
// our server never negotiates.
var ourServerRefuses = map[string]string{
	"Hello360_7_5":  "offers TLS 1.2 only, with AES-CBC suites only",
	"Hello360_Auto": "is Hello360_7_5",
}

// chosenSuiteMissing reports a failure only because the server chose a TLS
// 1.2 suite the shape offered but the engine does not implement: RC4 (RFC
// 7465 forbids it), the pre-standard ChaCha20 code points, DHE (uTLS lists
// those as FAKE and cannot complete them itself).
func chosenSuiteMissing(err error) bool {
	var ae *engine.AlertError
	var suite uint16
	if !errors.As(err, &ae) || ae.Alert != engine.AlertIllegalParameter {
		return false
	}
	if _, serr := fmt.Sscanf(ae.Reason, "server chose cipher suite %v", &suite); serr != nil {
		return false
	}
	return engine.SuiteName(suite) == "unknown"
}

// Every ClientHelloID uTLS names, and the randomized shapes with 50 seeds
// each, completes as our client against our own server (ECDSA and RSA
// certificates) and against crypto/tls at TLS 1.3 and capped at 1.2,
// reporting version, suite and group; except that our server refuses the
// shapes that offer only AES-CBC.
func TestEveryShapeCompletes(t *testing.T) {
	_, leaves := fixtures(t)
	ids := engine.ClientHelloIDs()
	var names []string
	for n := range ids {
		names = append(names, n)
	}
	sort.Strings(names)
	type run struct {
		name string
		seed uint64
	}
	var runs []run
	for _, n := range names {
		seeds := 1
		if n == "HelloRandomized" || n == "HelloRandomizedALPN" || n == "HelloRandomizedNoALPN" {
			seeds = 50
		}
		for seed := range seeds {
			runs = append(runs, run{n, uint64(seed)})
		}
	}
	peers := []struct {
		name string
		ours bool
		dial func(t *testing.T, c *engine.Config) (engine.ConnectionState, error)
	}{
		{"our server ECDSA", true, ourServerPeer(certgen.ECDSAP256, 0)},
		{"our server RSA", true, ourServerPeer(certgen.RSA2048, 0)},
		{"crypto/tls TLS 1.3", false, goServerPeer(leaves[certgen.ECDSAP256], tls.VersionTLS13)},
		{"crypto/tls TLS 1.2", false, goServerPeer(leaves[certgen.ECDSAP256], tls.VersionTLS12)},
	}
	for _, peer := range peers {
		t.Run(peer.name, func(t *testing.T) {
			missing := 0
			defer func() {
				if missing > 0 {
					t.Logf("%d randomized shapes failed only because the server chose a suite the engine lacks", missing)
				}
			}()
			for _, r := range runs {
				id := ids[r.name]
				if id.Client == utls.HelloRandomized.Client || id.Client == utls.HelloRandomizedALPN.Client ||
					id.Client == utls.HelloRandomizedNoALPN.Client {
					id.Seed = &utls.PRNGSeed{byte(r.seed), 1} // the same shape on every run
				}
				c := clientConfig(t)
				c.ClientHelloID = &id
				st, err := peer.dial(t, c)
				why, known := ourServerRefuses[r.name]
				known = known && peer.ours
				if !known && err != nil && chosenSuiteMissing(err) {
					missing++
					continue
				}
				switch {
				case known && err == nil:
					t.Errorf("%s (seed %d) completed, but is listed as failing: %s", r.name, r.seed, why)
				case !known && err != nil:
					t.Errorf("%s (seed %d): %v", r.name, r.seed, err)
				case err == nil && !stateComplete(st):
					t.Errorf("%s (seed %d): state %+v", r.name, r.seed, st)
				}
			}
		})
	}
}

// stateComplete reports whether a handshake's state names its version,
// suite and group (none with RSA key exchange).
func stateComplete(st engine.ConnectionState) bool {
	s12 := handshake.Suite12ByID(st.CipherSuite)
	rsaKex := s12 != nil && s12.RSAKeyExchange
	return st.Version != 0 && st.CipherSuite != 0 && (st.Group != 0) != rsaKex
}

// ourServerPeer runs the handshake against our own server engine and
// sends a line each way.
func ourServerPeer(kt certgen.KeyType, max uint16) func(*testing.T, *engine.Config) (engine.ConnectionState, error) {
	return func(t *testing.T, c *engine.Config) (engine.ConnectionState, error) {
		s := serverConfig(t, kt)
		s.MaxVersion = max
		p, err := enginetest.NewPair(c, s)
		if err != nil {
			return engine.ConnectionState{}, err
		}
		if err := p.Handshake(); err != nil {
			return engine.ConnectionState{}, err
		}
		if err := exchangeLine(p); err != nil {
			return engine.ConnectionState{}, err
		}
		return p.Client.ConnectionState(), nil
	}
}

// exchangeLine sends a line from the client to the server and another
// back, and checks both arrived.
func exchangeLine(p *enginetest.Pair) error {
	if err := p.Write(p.Client, []byte("to the server\n")); err != nil {
		return err
	}
	if err := p.Write(p.Server, []byte("to the client\n")); err != nil {
		return err
	}
	if err := p.Run(); err != nil {
		return err
	}
	if p.ServerGot.String() != "to the server\n" || p.ClientGot.String() != "to the client\n" {
		return fmt.Errorf("lines lost: server got %q, client got %q", p.ServerGot.String(), p.ClientGot.String())
	}
	return nil
}

// goServerPeer runs the handshake against crypto/tls, echoing a line.
func goServerPeer(cert tls.Certificate, max uint16) func(*testing.T, *engine.Config) (engine.ConnectionState, error) {
	return func(t *testing.T, c *engine.Config) (engine.ConnectionState, error) {
		nc, done := goServer(t, &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: max, NextProtos: []string{"h2", "http/1.1"}})
		e, err := engine.NewClient(c)
		if err != nil {
			nc.Close()
			return engine.ConnectionState{}, err
		}
		conn := adapters.NewConn(nc, e)
		err = conn.Handshake(context.Background())
		if err == nil {
			if _, err = conn.Write([]byte("shape\n")); err == nil {
				buf := make([]byte, 6)
				if _, err = io.ReadFull(conn, buf); err == nil && string(buf) != "shape\n" {
					err = fmt.Errorf("echoed %q", buf)
				}
			}
		}
		conn.Close()
		res := <-done
		if err == nil && res.err != nil {
			err = fmt.Errorf("crypto/tls: %w", res.err)
		}
		return e.ConnectionState(), err
	}
}

// Fidelity: for every ClientHelloID the hello our engine sends has the JA4
// (and JA4_r) of the hello uTLS's own UConn builds for that ID, and the same
// suites, groups, signature algorithms, versions, ALPN and server name
// (GREASE values, key shares, randoms and padding differ by design: a
// Chrome shape pads only when its hello, GREASE ECH included, falls in a
// length range, so padding is left out of the comparison).
func TestShapeFidelity(t *testing.T) {
	ids := engine.ClientHelloIDs()
	for name, id := range ids {
		if id.Client == utls.HelloRandomized.Client || id.Client == utls.HelloRandomizedALPN.Client ||
			id.Client == utls.HelloRandomizedNoALPN.Client {
			id.Seed = &utls.PRNGSeed{7}
		}
		c := clientConfig(t)
		c.ClientHelloID = &id
		e, err := engine.NewClient(c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ours := decodeHello(t, readAll(t, e)[5:])

		uc := utls.UClient(nil, &utls.Config{ServerName: testHost, OmitEmptyPsk: true}, id)
		if err := uc.BuildHandshakeState(); err != nil {
			t.Fatalf("%s: uTLS: %v", name, err)
		}
		raw := uc.HandshakeState.Hello.Raw
		if len(raw) == 0 {
			raw, _ = uc.HandshakeState.Hello.Marshal()
		}
		theirs := decodeHello(t, raw)

		a, b := withoutPadding(ours).Fingerprint(), withoutPadding(theirs).Fingerprint()
		if a.JA4 != b.JA4 || a.JA4Raw != b.JA4Raw {
			t.Errorf("%s: JA4 %s, uTLS's %s\n%s\n%s", name, a.JA4, b.JA4, a.JA4Raw, b.JA4Raw)
			continue
		}
		for _, f := range []struct {
			what   string
			ou, th any
		}{
			{"suites", noGREASE(ours.CipherSuites), noGREASE(theirs.CipherSuites)},
			{"groups", noGREASE(ours.SupportedGroups), noGREASE(theirs.SupportedGroups)},
			{"signature algorithms", ours.SignatureAlgorithms, theirs.SignatureAlgorithms},
			{"versions", noGREASE(ours.SupportedVersions), noGREASE(theirs.SupportedVersions)},
			{"ALPN", ours.ALPN, theirs.ALPN},
			{"server name", ours.ServerName, theirs.ServerName},
		} {
			if fmt.Sprint(f.ou) != fmt.Sprint(f.th) {
				t.Errorf("%s: %s %v, uTLS's %v", name, f.what, f.ou, f.th)
			}
		}
	}
}

// withoutPadding returns a copy of the hello without its padding extension.
func withoutPadding(ch *handshake.ClientHello) *handshake.ClientHello {
	out := *ch
	out.Extensions = nil
	for _, e := range ch.Extensions {
		if e.Type != handshake.ExtPadding {
			out.Extensions = append(out.Extensions, e)
		}
	}
	return &out
}

func decodeHello(t *testing.T, raw []byte) *handshake.ClientHello {
	t.Helper()
	ch := new(handshake.ClientHello)
	if err := handshake.Unmarshal(raw, ch); err != nil {
		t.Fatal(err)
	}
	return ch
}

func noGREASE(list []uint16) []uint16 {
	var out []uint16
	for _, v := range list {
		if !handshake.IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

// uTLS's own client, with every shape it names (randomized ones over 50
// fixed seeds), completes against our server and echoes; the CBC-only
// Hello360 shapes are refused (the server never offers CBC).
func TestUTLSClientsAgainstOurServer(t *testing.T) {
	ca, leaves := fixtures(t)
	ids := engine.ClientHelloIDs()
	for name, base := range ids {
		seeds := 1
		randomized := base.Client == utls.HelloRandomized.Client || base.Client == utls.HelloRandomizedALPN.Client ||
			base.Client == utls.HelloRandomizedNoALPN.Client
		if randomized {
			seeds = 50
		}
		for seed := range seeds {
			id := base
			if randomized {
				id.Seed = &utls.PRNGSeed{byte(seed), 2}
			}
			a, b := transport.Pipe()
			served := make(chan error, 1)
			go func() {
				c, err := adapters.Server(b, &engine.Config{Certificates: []tls.Certificate{leaves[certgen.ECDSAP256], leaves[certgen.RSA2048]}})
				if err == nil {
					err = c.Handshake(context.Background())
				}
				if err == nil {
					buf := make([]byte, 5)
					if _, err = io.ReadFull(c, buf); err == nil {
						_, err = c.Write(buf)
					}
				}
				b.Close()
				served <- err
			}()
			uc := utls.UClient(a, &utls.Config{ServerName: testHost, RootCAs: ca.Pool, Time: fixedTime, OmitEmptyPsk: true}, id)
			err := uc.Handshake()
			if err == nil {
				if _, err = uc.Write([]byte("hello")); err == nil {
					_, err = io.ReadFull(uc, make([]byte, 5))
				}
			}
			a.Close()
			serr := <-served
			_, cbcOnly := ourServerRefuses[name]
			switch {
			case cbcOnly && err == nil:
				t.Errorf("%s completed, but offers only AES-CBC for TLS 1.2", name)
			case !cbcOnly && (err != nil || serr != nil):
				t.Errorf("%s (seed %d): client %v, server %v", name, seed, err, serr)
			}
		}
	}
}
