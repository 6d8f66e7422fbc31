package machine

import (
	"bytes"
	"compress/zlib"
	"io"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/securepair/securepair/handshake"
	"github.com/securepair/securepair/record"
)

// Certificate compression algorithms (RFC 8879 section 3).
const (
	CertCompressionZlib   uint16 = 1
	CertCompressionBrotli uint16 = 2
	CertCompressionZstd   uint16 = 3
)

// decompressCertificate turns a CompressedCertificate back into the
// Certificate message it stands for. The announced length is checked
// against the handshake message limit before any work, and the output is
// cut at that length, so a decompression bomb costs at most the limit; a
// mismatch, an algorithm not offered or data that does not decompress is
// bad_certificate (RFC 8879 section 4).
func decompressCertificate(cc *handshake.CompressedCertificate, offered []uint16, limit int) ([]byte, error) {
	if !contains(offered, cc.Algorithm) {
		return nil, record.Errorf(record.AlertBadCertificate, "certificate compressed with algorithm %d, which was not offered", cc.Algorithm)
	}
	n := int(cc.UncompressedLength)
	if n == 0 || n > limit {
		return nil, record.Errorf(record.AlertBadCertificate, "compressed certificate announces %d bytes (limit %d)", n, limit)
	}
	body, err := inflate(cc.Algorithm, cc.Compressed, n)
	if err != nil || len(body) != n {
		return nil, record.Errorf(record.AlertBadCertificate, "compressed certificate does not decompress to the %d bytes it announces", n)
	}
	// The decompressed body is a Certificate message without its header.
	return append([]byte{byte(handshake.TypeCertificate), byte(n >> 16), byte(n >> 8), byte(n)}, body...), nil
}

// inflate decompresses data, reading at most n+1 bytes of output.
func inflate(algorithm uint16, data []byte, n int) ([]byte, error) {
	var r io.Reader
	switch algorithm {
	case CertCompressionZlib:
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		r = zr
	case CertCompressionBrotli:
		r = brotli.NewReader(bytes.NewReader(data))
	case CertCompressionZstd:
		// One decoder per message, synchronous (concurrency 1: no
		// goroutine); its memory, window included, stays under a bound
		// near the announced length (a zstd window is at least 1 KiB).
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(max(n+1, 128<<10))))
		if err != nil {
			return nil, err
		}
		defer d.Close()
		return d.DecodeAll(data, make([]byte, 0, n))
	default:
		return nil, io.ErrUnexpectedEOF
	}
	return io.ReadAll(io.LimitReader(r, int64(n)+1))
}

// compressCertificate compresses a Certificate message's body with the
// first of ours the client offered; ok is false when none fits.
func compressCertificate(cert []byte, ours, offered []uint16) (*handshake.CompressedCertificate, bool) {
	body := cert[handshake.HeaderLen:]
	for _, a := range ours {
		if !contains(offered, a) {
			continue
		}
		if out, err := deflate(a, body); err == nil {
			return &handshake.CompressedCertificate{Algorithm: a, UncompressedLength: uint32(len(body)), Compressed: out}, true
		}
	}
	return nil, false
}

func deflate(algorithm uint16, body []byte) ([]byte, error) {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch algorithm {
	case CertCompressionZlib:
		w = zlib.NewWriter(&buf)
	case CertCompressionBrotli:
		w = brotli.NewWriter(&buf)
	case CertCompressionZstd:
		e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer e.Close()
		return e.EncodeAll(body, nil), nil
	default:
		return nil, io.ErrUnexpectedEOF
	}
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
