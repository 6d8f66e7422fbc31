package record

import (
	"errors"
	"fmt"
	"strconv"
)

// Alert is a TLS alert description.
type Alert uint8

// Alert descriptions (RFC 8446 section 6).
const (
	AlertCloseNotify                  Alert = 0
	AlertUnexpectedMessage            Alert = 10
	AlertBadRecordMAC                 Alert = 20
	AlertRecordOverflow               Alert = 22
	AlertHandshakeFailure             Alert = 40
	AlertBadCertificate               Alert = 42
	AlertUnsupportedCertificate       Alert = 43
	AlertCertificateRevoked           Alert = 44
	AlertCertificateExpired           Alert = 45
	AlertCertificateUnknown           Alert = 46
	AlertIllegalParameter             Alert = 47
	AlertUnknownCA                    Alert = 48
	AlertAccessDenied                 Alert = 49
	AlertDecodeError                  Alert = 50
	AlertDecryptError                 Alert = 51
	AlertProtocolVersion              Alert = 70
	AlertInsufficientSecurity         Alert = 71
	AlertInternalError                Alert = 80
	AlertInappropriateFallback        Alert = 86
	AlertUserCanceled                 Alert = 90
	AlertNoRenegotiation              Alert = 100
	AlertMissingExtension             Alert = 109
	AlertUnsupportedExtension         Alert = 110
	AlertUnrecognizedName             Alert = 112
	AlertBadCertificateStatusResponse Alert = 113
	AlertUnknownPSKIdentity           Alert = 115
	AlertCertificateRequired          Alert = 116
	AlertNoApplicationProtocol        Alert = 120
)

var alertNames = map[Alert]string{
	AlertCloseNotify:                  "close_notify",
	AlertUnexpectedMessage:            "unexpected_message",
	AlertBadRecordMAC:                 "bad_record_mac",
	AlertRecordOverflow:               "record_overflow",
	AlertHandshakeFailure:             "handshake_failure",
	AlertBadCertificate:               "bad_certificate",
	AlertUnsupportedCertificate:       "unsupported_certificate",
	AlertCertificateRevoked:           "certificate_revoked",
	AlertCertificateExpired:           "certificate_expired",
	AlertCertificateUnknown:           "certificate_unknown",
	AlertIllegalParameter:             "illegal_parameter",
	AlertUnknownCA:                    "unknown_ca",
	AlertAccessDenied:                 "access_denied",
	AlertDecodeError:                  "decode_error",
	AlertDecryptError:                 "decrypt_error",
	AlertProtocolVersion:              "protocol_version",
	AlertInsufficientSecurity:         "insufficient_security",
	AlertInternalError:                "internal_error",
	AlertInappropriateFallback:        "inappropriate_fallback",
	AlertUserCanceled:                 "user_canceled",
	AlertNoRenegotiation:              "no_renegotiation",
	AlertMissingExtension:             "missing_extension",
	AlertUnsupportedExtension:         "unsupported_extension",
	AlertUnrecognizedName:             "unrecognized_name",
	AlertBadCertificateStatusResponse: "bad_certificate_status_response",
	AlertUnknownPSKIdentity:           "unknown_psk_identity",
	AlertCertificateRequired:          "certificate_required",
	AlertNoApplicationProtocol:        "no_application_protocol",
}

// String returns the alert's name, as in RFC 8446 section 6.
func (a Alert) String() string {
	if name, ok := alertNames[a]; ok {
		return name
	}
	return "alert(" + strconv.Itoa(int(a)) + ")"
}

// AlertError is a fatal TLS error together with the alert that goes with it.
// Remote is true when the alert was received from the peer, false when this
// side found the problem and sent the alert. Err is the cause when there is
// one (an x509 verification error, say): errors.As and errors.Is see it.
type AlertError struct {
	Alert  Alert
	Remote bool
	Reason string
	Err    error
}

// Error says which alert, whether it was sent or received, and why.
func (e *AlertError) Error() string {
	if e.Remote {
		return "tls: received alert " + e.Alert.String() + " from the peer"
	}
	if e.Reason == "" {
		return "tls: sent alert " + e.Alert.String()
	}
	return "tls: sent alert " + e.Alert.String() + ": " + e.Reason
}

// Unwrap returns the cause.
func (e *AlertError) Unwrap() error { return e.Err }

// Is makes errors.Is match any AlertError carrying the same alert and direction.
func (e *AlertError) Is(target error) bool {
	t, ok := target.(*AlertError)
	return ok && t.Alert == e.Alert && t.Remote == e.Remote && t.Reason == "" && t.Err == nil
}

// Errorf returns a local AlertError: this side found the problem and sends
// alert. A %w verb in format makes that error the cause (Unwrap).
func Errorf(alert Alert, format string, args ...any) *AlertError {
	err := fmt.Errorf(format, args...)
	return &AlertError{Alert: alert, Reason: err.Error(), Err: errors.Unwrap(err)}
}
