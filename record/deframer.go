package record

import "encoding/binary"

// Deframer collects bytes that arrive from the peer, split anywhere, and hands
// out whole records. Its buffer holds one largest record and a little more:
// Write accepts what fits and the caller retries the rest after consuming
// records.
type Deframer struct {
	buf   []byte // borrowed from the pool while non-empty
	start int    // first byte not yet handed out
}

// Record is one whole record. Header and Body alias the Deframer's buffer and
// stay valid until the next call to Write or Release.
type Record struct {
	Type   ContentType
	Header []byte
	Body   []byte
}

// Buffered returns how many bytes wait in the deframer.
func (d *Deframer) Buffered() int { return len(d.buf) - d.start }

// Space returns the free room at the end of the buffer, for a caller that
// reads from its source straight into it and then calls Commit. It may be
// empty when the buffer is full.
func (d *Deframer) Space(moveAllowed bool) []byte {
	if d.buf == nil {
		d.buf = getInputBuffer()
		d.start = 0
	}
	if moveAllowed && d.start > 0 {
		n := copy(d.buf, d.buf[d.start:])
		d.buf = d.buf[:n]
		d.start = 0
	}
	return d.buf[len(d.buf):cap(d.buf)]
}

// Commit adds n bytes written into the slice Space returned.
func (d *Deframer) Commit(n int) { d.buf = d.buf[:len(d.buf)+n] }

// Write copies as much of p as fits and returns how much it took. When
// moveAllowed is false the bytes already buffered stay where they are (the
// caller still holds slices into them), so less may fit.
func (d *Deframer) Write(p []byte, moveAllowed bool) int {
	if len(p) == 0 {
		return 0
	}
	if d.buf == nil {
		d.buf = getInputBuffer()
		d.start = 0
	}
	if moveAllowed && d.start > 0 && cap(d.buf)-len(d.buf) < len(p) {
		n := copy(d.buf, d.buf[d.start:])
		d.buf = d.buf[:n]
		d.start = 0
	}
	room := cap(d.buf) - len(d.buf)
	if len(p) > room {
		p = p[:room]
	}
	d.buf = append(d.buf, p...)
	return len(p)
}

// Next returns the next whole record, ok=false when more bytes are needed, or
// an AlertError for a header no TLS peer would send.
func (d *Deframer) Next() (rec Record, ok bool, err error) {
	avail := d.buf[d.start:]
	if len(avail) < HeaderLen {
		return Record{}, false, nil
	}
	typ := ContentType(avail[0])
	if !typ.Known() {
		return Record{}, false, Errorf(AlertUnexpectedMessage, "record of unknown content type %d", avail[0])
	}
	if avail[1] != 3 {
		return Record{}, false, Errorf(AlertDecodeError, "record version %#02x%02x is not TLS", avail[1], avail[2])
	}
	n := int(binary.BigEndian.Uint16(avail[3:5]))
	if n > MaxCiphertext {
		return Record{}, false, Errorf(AlertRecordOverflow, "record of %d bytes", n)
	}
	if len(avail) < HeaderLen+n {
		return Record{}, false, nil
	}
	d.start += HeaderLen + n
	return Record{Type: typ, Header: avail[:HeaderLen], Body: avail[HeaderLen : HeaderLen+n]}, true, nil
}

// Release gives the buffer back to the pool if nothing is buffered. The caller
// must hold no slice from Next any more.
func (d *Deframer) Release() {
	if d.buf != nil && d.start == len(d.buf) {
		putInputBuffer(d.buf)
		d.buf = nil
		d.start = 0
	}
}

// Reset drops whatever is buffered and gives the buffer back.
func (d *Deframer) Reset() {
	if d.buf != nil {
		putInputBuffer(d.buf)
	}
	*d = Deframer{}
}

// AppendHeader appends a record header for a body of n bytes.
func AppendHeader(out []byte, typ ContentType, version uint16, n int) []byte {
	return append(out, byte(typ), byte(version>>8), byte(version), byte(n>>8), byte(n))
}

// Capacity returns the capacity of the buffer the deframer holds (0 when it
// holds none).
func (d *Deframer) Capacity() int { return cap(d.buf) }
