package handshake

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/tls"
	"errors"
	"io"

	"github.com/securepair/securepair/record"
)

// Key exchange groups this library implements.
const (
	GroupSecp256r1      = uint16(tls.CurveP256)
	GroupSecp384r1      = uint16(tls.CurveP384)
	GroupSecp521r1      = uint16(tls.CurveP521)
	GroupX25519         = uint16(tls.X25519)
	GroupX25519MLKEM768 = uint16(tls.X25519MLKEM768)
)

var supportedGroups = []uint16{GroupX25519MLKEM768, GroupX25519, GroupSecp256r1, GroupSecp384r1, GroupSecp521r1}

// GroupSupported reports whether g is a key exchange group this package
// implements.
func GroupSupported(g uint16) bool {
	for _, s := range supportedGroups {
		if s == g {
			return true
		}
	}
	return false
}

// GroupName returns the name of a key exchange group.
func GroupName(g uint16) string {
	switch g {
	case GroupSecp256r1:
		return "secp256r1"
	case GroupSecp384r1:
		return "secp384r1"
	case GroupSecp521r1:
		return "secp521r1"
	case GroupX25519:
		return "x25519"
	case GroupX25519MLKEM768:
		return "X25519MLKEM768"
	}
	return "unknown"
}

func ecdhCurve(g uint16) ecdh.Curve {
	switch g {
	case GroupSecp256r1:
		return ecdh.P256()
	case GroupSecp384r1:
		return ecdh.P384()
	case GroupSecp521r1:
		return ecdh.P521()
	case GroupX25519:
		return ecdh.X25519()
	}
	return nil
}

// ClientKeyShare holds the client's private key for one offered group.
type ClientKeyShare struct {
	Group uint16
	ECDH  *ecdh.PrivateKey           // the classical key (the X25519 half of a hybrid)
	MLKEM *mlkem.DecapsulationKey768 // set for X25519MLKEM768
}

// newECDHKey makes a private key from Config.Rand, so handshakes replay byte
// for byte under a fixed Rand (ecdh.GenerateKey ignores its reader since Go 1.26).
func newECDHKey(curve ecdh.Curve, rand io.Reader) (*ecdh.PrivateKey, error) {
	size := 32
	switch curve {
	case ecdh.P384():
		size = 48
	case ecdh.P521():
		size = 66
	}
	buf := make([]byte, size)
	for range 64 {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return nil, err
		}
		if curve == ecdh.P521() {
			buf[0] &= 0x01 // a P-521 scalar has 521 bits
		}
		if k, err := curve.NewPrivateKey(buf); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("handshake: Rand gives no valid private key")
}

// NewClientKeyShare makes a key pair for group and returns it with its public share.
func NewClientKeyShare(group uint16, rand io.Reader) (*ClientKeyShare, []byte, error) {
	if group == GroupX25519MLKEM768 {
		seed := make([]byte, mlkem.SeedSize)
		if _, err := io.ReadFull(rand, seed); err != nil {
			return nil, nil, err
		}
		dk, err := mlkem.NewDecapsulationKey768(seed)
		if err != nil {
			return nil, nil, err
		}
		x, err := newECDHKey(ecdh.X25519(), rand)
		if err != nil {
			return nil, nil, err
		}
		pub := append(dk.EncapsulationKey().Bytes(), x.PublicKey().Bytes()...)
		return &ClientKeyShare{Group: group, ECDH: x, MLKEM: dk}, pub, nil
	}
	curve := ecdhCurve(group)
	if curve == nil {
		return nil, nil, errors.New("handshake: unsupported group " + GroupName(group))
	}
	k, err := newECDHKey(curve, rand)
	if err != nil {
		return nil, nil, err
	}
	return &ClientKeyShare{Group: group, ECDH: k}, k.PublicKey().Bytes(), nil
}

func badShare(what string) error {
	return record.Errorf(record.AlertIllegalParameter, "invalid %s key share", what)
}

// SharedSecret completes the exchange with the server's share.
func (k *ClientKeyShare) SharedSecret(serverShare []byte) ([]byte, error) {
	if k.MLKEM != nil {
		if len(serverShare) != mlkem.CiphertextSize768+32 {
			return nil, badShare("X25519MLKEM768")
		}
		ss, err := k.MLKEM.Decapsulate(serverShare[:mlkem.CiphertextSize768])
		if err != nil {
			return nil, badShare("X25519MLKEM768")
		}
		xs, err := ecdhShared(k.ECDH, serverShare[mlkem.CiphertextSize768:])
		if err != nil {
			return nil, err
		}
		return append(ss, xs...), nil
	}
	return ecdhShared(k.ECDH, serverShare)
}

func ecdhShared(priv *ecdh.PrivateKey, peer []byte) ([]byte, error) {
	pub, err := priv.Curve().NewPublicKey(peer)
	if err != nil {
		return nil, badShare(GroupName(CurveGroup(priv.Curve())))
	}
	ss, err := priv.ECDH(pub)
	if err != nil {
		return nil, badShare(GroupName(CurveGroup(priv.Curve())))
	}
	return ss, nil
}

// CurveGroup returns the group of a standard library curve (0 if none).
func CurveGroup(c ecdh.Curve) uint16 {
	switch c {
	case ecdh.X25519():
		return GroupX25519
	case ecdh.P256():
		return GroupSecp256r1
	case ecdh.P384():
		return GroupSecp384r1
	case ecdh.P521():
		return GroupSecp521r1
	}
	return 0
}

// AnswerKeyShare answers the client's share: it returns the server's share
// and the shared secret.
func AnswerKeyShare(group uint16, clientShare []byte, rand io.Reader) (share, secret []byte, err error) {
	if group == GroupX25519MLKEM768 {
		if len(clientShare) != mlkem.EncapsulationKeySize768+32 {
			return nil, nil, badShare("X25519MLKEM768")
		}
		ek, err := mlkem.NewEncapsulationKey768(clientShare[:mlkem.EncapsulationKeySize768])
		if err != nil {
			return nil, nil, badShare("X25519MLKEM768")
		}
		ss, ct := ek.Encapsulate()
		x, err := newECDHKey(ecdh.X25519(), rand)
		if err != nil {
			return nil, nil, err
		}
		xs, err := ecdhShared(x, clientShare[mlkem.EncapsulationKeySize768:])
		if err != nil {
			return nil, nil, err
		}
		return append(ct, x.PublicKey().Bytes()...), append(ss, xs...), nil
	}
	curve := ecdhCurve(group)
	if curve == nil {
		return nil, nil, record.Errorf(record.AlertInternalError, "group %d selected but not implemented", group)
	}
	k, err := newECDHKey(curve, rand)
	if err != nil {
		return nil, nil, err
	}
	ss, err := ecdhShared(k, clientShare)
	if err != nil {
		return nil, nil, err
	}
	return k.PublicKey().Bytes(), ss, nil
}
