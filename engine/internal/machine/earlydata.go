package machine

import "github.com/securepair/securepair/record"

// EarlyDataReason says why 0-RTT data that was wanted (Config.EarlyData on
// a client, early_data in the hello on a server) was not taken.
type EarlyDataReason string

// Why 0-RTT was not taken.
const (
	EarlyNoTicket      EarlyDataReason = "no ticket that allows early data" // client: none cached, or one without the allowance
	EarlyTicketTooOld  EarlyDataReason = "the ticket is too old"            // past its lifetime, or its age is off (server)
	EarlyHelloRetry    EarlyDataReason = "HelloRetryRequest"                // RFC 8446 section 4.2.10
	EarlyRefused       EarlyDataReason = "the server refused it"            // the client's view: the server did not say why
	EarlyNotAllowed    EarlyDataReason = "not allowed by the server"        // no MaxEarlyData, no replay store, or not the first ticket
	EarlyReplay        EarlyDataReason = "a replayed ClientHello"           // the replay store saw it (or failed)
	EarlyALPNChanged   EarlyDataReason = "the ALPN protocol changed"        // from the ticket's
	EarlySuiteChanged  EarlyDataReason = "the cipher suite changed"         // from the ticket's
	EarlyNoTicketTaken EarlyDataReason = "no ticket was resumed"            // the server's view: none opened or fitted
)

// EarlyData is the whole 0-RTT state of one connection. The handshake states
// open, answer and close it; the engine moves the bytes through it.
type EarlyData struct {
	// Client: how much more may be sent early, a copy of what was sent, and
	// what the server refused, until the engine reports it.
	room     int
	sent     []byte
	rejected []byte
	// Server: whether early data records are taken now, up to limit bytes,
	// what was taken, and how much refused early data may still be skipped.
	taking   bool
	limit    int
	received []byte
	skip     int
}

// Open (client) allows limit bytes of early data behind the ClientHello.
func (d *EarlyData) Open(limit int) { d.room = limit }

// Accepted (client): the server took the early data.
func (d *EarlyData) Accepted() { d.room, d.sent = 0, nil }

// Rejected (client): the server refused it (or sent a HelloRetryRequest).
// What was sent is handed to the application, which decides whether to send
// it again (RFC 8446 section 4.2.10: not automatically).
func (d *EarlyData) Rejected() {
	d.room = 0
	d.rejected, d.sent = append(d.rejected, d.sent...), nil
}

// Expect (server): early data records come next, at most limit bytes.
func (d *EarlyData) Expect(limit int) { d.taking, d.limit = true, limit }

// Skip (server): early data was refused; records that do not decrypt (or,
// before any key, application data records) are dropped, up to budget bytes.
func (d *EarlyData) Skip(budget int) { d.skip = budget }

// Done (server): EndOfEarlyData arrived.
func (d *EarlyData) Done() { d.taking = false }

// Room (client) is how many more bytes may be sent early.
func (d *EarlyData) Room() int { return d.room }

// Sent (client) records p as sent early.
func (d *EarlyData) Sent(p []byte) {
	d.room -= len(p)
	d.sent = append(d.sent, p...)
}

// TakeRejected (client) returns the refused early data, once.
func (d *EarlyData) TakeRejected() []byte {
	b := d.rejected
	d.rejected = nil
	return b
}

// Taking (server) reports whether early data records are taken now.
func (d *EarlyData) Taking() bool { return d.taking }

// Take (server) keeps an early data record's content, within the limit.
func (d *EarlyData) Take(data []byte) error {
	if len(d.received)+len(data) > d.limit {
		return record.Errorf(record.AlertUnexpectedMessage, "early data over the %d-byte limit", d.limit)
	}
	d.received = append(d.received, data...)
	return nil
}

// Read (server) moves taken early data into p.
func (d *EarlyData) Read(p []byte) int {
	n := copy(p, d.received)
	d.received = d.received[n:]
	if len(d.received) == 0 {
		d.received = nil
	}
	return n
}

// Buffered (server) is how many taken early bytes wait to be read.
func (d *EarlyData) Buffered() int { return len(d.received) }

// Skipping (server) reports whether refused early data may still be dropped.
func (d *EarlyData) Skipping() bool { return d.skip > 0 }

// SkipRecord (server) drops one refused early data record of n bytes, within
// the budget (RFC 8446 section 4.2.10).
func (d *EarlyData) SkipRecord(n int) error {
	d.skip -= n
	if d.skip < 0 {
		return record.Errorf(record.AlertUnexpectedMessage, "more refused early data than the server skips")
	}
	return nil
}

// StopSkipping (server): a record decrypted under the handshake key, so the
// client is past its early data.
func (d *EarlyData) StopSkipping() { d.skip = 0 }

// HeldBytes is the memory the 0-RTT buffers hold.
func (d *EarlyData) HeldBytes() int { return cap(d.sent) + cap(d.rejected) + cap(d.received) }
