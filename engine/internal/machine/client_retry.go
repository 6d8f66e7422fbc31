package machine

import (
	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// The client's answer to a HelloRetryRequest: checks, then a second
// ClientHello built from the first.

func (s *clientExpectServerHello) handleRetry(hrr *handshake.ServerHello, raw []byte, suite *handshake.Suite, out Sink) (State, error) {
	c := s.c
	if s.retried {
		return nil, record.Errorf(record.AlertUnexpectedMessage, "second HelloRetryRequest")
	}
	if err := out.EndOfFlight(); err != nil {
		return nil, err
	}
	g := hrr.SelectedGroup
	if g != 0 && (!contains(c.hello.SupportedGroups, g) || !handshake.GroupSupported(g)) {
		return nil, illegal("HelloRetryRequest asks for group %#04x, which was not offered", g)
	}
	sentShare := false
	for _, ks := range c.hello.KeyShares {
		sentShare = sentShare || ks.Group == g
	}
	if g != 0 && sentShare {
		return nil, illegal("HelloRetryRequest asks for group %#04x, whose share was sent", g)
	}
	if g == 0 && hrr.Cookie == nil {
		return nil, illegal("HelloRetryRequest that would change nothing")
	}
	echTaken := false
	if c.ech != nil && !c.ech.declined {
		var err error
		if echTaken, err = c.echRetryAnswered(raw, suite); err != nil {
			return nil, err
		}
	}
	first := c.helloRaw
	if echTaken {
		first = c.ech.innerRaw // the transcript is the inner hellos'
	}
	t := handshake.NewTranscript(suite)
	t.Add(handshake.MessageHash(suite, first), raw)
	if c.earlyOffered { // no 0-RTT after a HelloRetryRequest: send it again later
		c.earlyOffered = false
		c.state.EarlyDataReason = EarlyHelloRetry
		out.EarlyData().Rejected()
		if err := out.SetWriteKey(LevelHandshake, nil); err != nil {
			return nil, err
		}
	}
	var hello2, sent []byte
	var err error
	if echTaken {
		hello2, sent, err = c.echRetryHellos(hrr, raw, suite)
	} else {
		hello2, err = c.retryHello(hrr, raw, suite)
		sent = hello2
	}
	if err != nil {
		return nil, err
	}
	t.Add(hello2)
	if err := c.compatCCS(out); err != nil {
		return nil, err
	}
	if err := out.SendMessage(sent); err != nil {
		return nil, err
	}
	c.state.DidHelloRetry = true
	return &clientExpectServerHello{c: c, retried: true, retryHash: t, suite: suite}, nil
}

// retryHello builds the second ClientHello from the first, keeping the order
// of extensions: a new key_share, the cookie, no early_data.
func (c *clientShared) retryHello(hrr *handshake.ServerHello, hrrRaw []byte, suite *handshake.Suite) ([]byte, error) {
	first := c.helloRaw
	var pskSuite *handshake.Suite
	if c.offered != nil && c.offered.Version == handshake.VersionTLS13 {
		pskSuite = handshake.Suite13ByID(c.offered.Suite)
	}
	keepPSK := pskSuite != nil && pskSuite.Hash == suite.Hash
	h := *c.hello
	h.Extensions = nil
	if hrr.SelectedGroup != 0 {
		k, pub, err := handshake.NewClientKeyShare(hrr.SelectedGroup, c.cfg.rand())
		if err != nil {
			return nil, internal(err)
		}
		c.keys = []*handshake.ClientKeyShare{k}
		h.KeyShares = []handshake.KeyShare{{Group: hrr.SelectedGroup, Data: pub}}
	}
	cookieAdded := hrr.Cookie == nil
	for _, e := range c.hello.Extensions {
		switch e.Type {
		case handshake.ExtEarlyData, handshake.ExtCookie:
			continue
		case handshake.ExtKeyShare:
			e = handshake.KeyShareClientExt(h.KeyShares)
		case handshake.ExtPreSharedKey:
			if !keepPSK {
				continue // the ticket's hash no longer fits the suite
			}
			if !cookieAdded {
				h.Extensions = append(h.Extensions, handshake.BytesExt(handshake.ExtCookie, 2, hrr.Cookie))
				cookieAdded = true
			}
		}
		h.Extensions = append(h.Extensions, e)
	}
	if !cookieAdded {
		h.Extensions = append(h.Extensions, handshake.BytesExt(handshake.ExtCookie, 2, hrr.Cookie))
	}
	raw := handshake.Marshal(&h)
	if keepPSK {
		setBinder(c.offeredEarly, pskSuite, append(handshake.MessageHash(suite, first), hrrRaw...), raw)
	} else if c.offered != nil && c.offered.Version == handshake.VersionTLS13 {
		c.offered = nil
	}
	if err := handshake.Unmarshal(raw, &h); err != nil {
		return nil, internal(err)
	}
	c.hello, c.helloRaw = &h, raw
	return raw, nil
}
