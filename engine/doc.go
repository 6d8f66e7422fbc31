// Package engine is the sans-IO TLS 1.3 and 1.2 connection: bytes from the
// peer go in on the Encrypted side, decrypted data comes out on the
// Cleartext side, and the reverse. It owns no socket, goroutine or clock; the
// caller moves the bytes. It is the whole user API: Config, Engine,
// ConnectionState, events, errors, caches, and the protocol constants a
// program needs.
//
// # The contract
//
// The engine never blocks and never stops taking input without saying why.
// After any call, Engine.Wants tells what to do next, as bits that may hold
// together:
//
//   - WantsInput: feed what the peer sent (Encrypted().Write or Fill).
//   - HasCiphertext: send to the peer what Encrypted().Read or WriteTo gives.
//   - HasCleartext: read decrypted data (Cleartext().Read).
//   - HasEarlyData: read accepted 0-RTT data (ReadEarlyData, server).
//   - HasEvents: read events (NextEvent).
//   - InputPaused: input stops until the Has bits are drained, which keeps
//     the memory a peer can cost bounded; meanwhile Encrypted().Write
//     returns ErrWouldBlock.
//   - Finished: the connection failed (Err says why) or both sides closed;
//     send what is left and stop.
//
// ErrWouldBlock is never an error of the connection: it means "nothing yet"
// on a Read and "no room until you drain" on a Write. Fatal errors are
// *AlertError (the alert, sent or received, and its cause), sticky: every
// later call returns the same error. The caller's own mistakes are the
// "securepair: misuse:" errors (ErrInvalidConfig, ErrClosed, ...), which do
// not harm the connection. A stream that ends without close_notify is
// ErrTruncated, never io.EOF.
//
// The simplest driver moves ciphertext between two engines until nothing is
// in flight, then checks Err: see the Engine example. Package adapters has
// blocking shapes (a net.Conn, Dial, Listen, STARTTLS, a channel loop).
package engine
