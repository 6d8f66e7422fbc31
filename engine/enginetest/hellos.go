package enginetest

import (
	utls "github.com/refraction-networking/utls"
)

// LegacyHello12 is a ClientHelloSpec for a TLS 1.2-only hello offering
// one suite, as a legacy browser shape does (for the AES-CBC suites, which
// only a shape can offer); etm adds RFC 7366's encrypt_then_mac.
func LegacyHello12(suite uint16, etm bool) func() *utls.ClientHelloSpec {
	return func() *utls.ClientHelloSpec {
		exts := []utls.TLSExtension{
			&utls.SNIExtension{},
			&utls.SupportedCurvesExtension{Curves: []utls.CurveID{utls.X25519, utls.CurveP256}},
			&utls.SupportedPointsExtension{SupportedPoints: []byte{0}},
			&utls.SignatureAlgorithmsExtension{SupportedSignatureAlgorithms: []utls.SignatureScheme{
				utls.ECDSAWithP256AndSHA256, utls.PSSWithSHA256, utls.PKCS1WithSHA256}},
			&utls.ExtendedMasterSecretExtension{},
			&utls.RenegotiationInfoExtension{Renegotiation: utls.RenegotiateOnceAsClient},
		}
		if etm {
			exts = append(exts, &utls.GenericExtension{Id: 22})
		}
		return &utls.ClientHelloSpec{TLSVersMin: utls.VersionTLS12, TLSVersMax: utls.VersionTLS12,
			CipherSuites: []uint16{suite}, CompressionMethods: []uint8{0}, Extensions: exts}
	}
}
