package redisstore

import (
	"bytes"
	"errors"
	"fmt"
	"net"
)

// Limits on what a reply from Redis may claim, checked by [boundedConn]
// before go-redis reads it. go-redis allocates what a length prefix claims
// before it reads the data (a claim of 2^63-1 bytes panics in makeslice),
// and reads nested aggregates by recursion.
const (
	// maxBulk bounds the length a bulk string, verbatim string or blob
	// error may claim: 64 MiB. A token's value is a few KiB.
	maxBulk = 64 << 20
	// maxElements bounds the elements that the aggregates (arrays, maps,
	// sets, pushes, attributes) being read may still claim, together: each
	// costs go-redis 16 bytes or more before any of them arrives.
	maxElements = 1 << 20
	// maxDepth bounds how deeply aggregates nest.
	maxDepth = 32
)

// ErrProtocol: Redis (or whatever answered in its place) sent a reply this
// package refuses to hand to go-redis, such as a length over the limits
// above. The connection is dropped.
var ErrProtocol = errors.New("redisstore: protocol error")

// boundedConn is a connection to Redis whose replies are checked, as they
// are read, against the limits above: a reply over them fails the read with
// [ErrProtocol] before go-redis sees its length. It sits above TLS.
type boundedConn struct {
	net.Conn
	scan respScanner
}

// newBoundedConn wraps conn, a connection to addr.
func newBoundedConn(conn net.Conn, addr string) *boundedConn {
	return &boundedConn{Conn: conn, scan: respScanner{addr: addr}}
}

// Read reads from the connection and checks what it read.
func (c *boundedConn) Read(p []byte) (int, error) {
	if c.scan.err != nil {
		return 0, c.scan.err
	}
	n, err := c.Conn.Read(p)
	if n > 0 {
		if serr := c.scan.scan(p[:n]); serr != nil {
			return 0, serr
		}
	}
	return n, err
}

// respScanner follows a stream of RESP2 and RESP3 replies
// (https://redis.io/docs/latest/develop/reference/protocol-spec/) without
// keeping any of it: it reads each type byte and length prefix, skips bulk
// payloads and simple lines, and counts the elements of open aggregates.
// Types go-redis does not read either (streamed strings and aggregates)
// are refused.
type respScanner struct {
	addr    string
	state   scanState
	kind    byte  // the type byte of the value being read
	neg     bool  // the length began with '-'
	digits  int   // digits of the length read so far
	n       int64 // the length read so far
	skip    int64 // bytes of a bulk payload, with its CRLF, still to come
	depth   int
	stack   [maxDepth]frame
	pending int64 // elements the open aggregates still claim
	err     error // the first violation; every later read fails with it
}

// frame is an open aggregate: the elements it still claims.
type frame struct {
	left int64
	attr bool // an attribute, which comes before the value it describes
}

type scanState uint8

const (
	atType     scanState = iota // the next byte begins a value
	inLine                      // a simple value, up to '\n'
	inLength                    // the length of a bulk or aggregate
	atLengthLF                  // the '\n' after a length's '\r'
	inPayload                   // a bulk payload and its CRLF
)

// scan follows p, the next bytes of the stream.
func (s *respScanner) scan(p []byte) error {
	for i := 0; i < len(p); {
		switch s.state {
		case atType:
			s.kind = p[i]
			i++
			switch s.kind {
			case '+', '-', ':', ',', '#', '(', '_':
				s.enter()
				s.state = inLine
			case '$', '=', '!', '*', '%', '~', '>':
				s.enter()
				s.startLength()
			case '|':
				s.startLength() // an attribute is no element of its parent
			default:
				return s.fail(fmt.Sprintf("a reply of unknown type %q", s.kind))
			}
		case inLine:
			j := bytes.IndexByte(p[i:], '\n')
			if j < 0 {
				return nil
			}
			i += j + 1
			s.state = atType
			s.done()
		case inLength:
			c := p[i]
			i++
			switch {
			case c >= '0' && c <= '9':
				s.digits++
				s.n = s.n*10 + int64(c-'0')
				if s.n > s.limit() {
					return s.fail(fmt.Sprintf("a %s over the limit of %d", s.what(), s.limit()))
				}
			case c == '-' && s.digits == 0 && !s.neg:
				s.neg = true
			case c == '\r' && s.digits > 0 && (!s.neg || s.n == 1):
				s.state = atLengthLF
			default:
				return s.fail("a malformed " + s.what())
			}
		case atLengthLF:
			if p[i] != '\n' {
				return s.fail("a malformed " + s.what())
			}
			i++
			if err := s.endLength(); err != nil {
				return err
			}
		case inPayload:
			m := min(s.skip, int64(len(p)-i))
			i += int(m)
			if s.skip -= m; s.skip == 0 {
				s.state = atType
				s.done()
			}
		}
	}
	return nil
}

// startLength begins reading a length prefix.
func (s *respScanner) startLength() {
	s.state, s.neg, s.digits, s.n = inLength, false, 0, 0
}

// endLength acts on a length prefix read whole: -1 is a null.
func (s *respScanner) endLength() error {
	s.state = atType
	if s.neg { // -1: a null, complete
		if s.kind != '|' {
			s.done()
		}
		return nil
	}
	switch s.kind {
	case '$', '=', '!':
		s.skip, s.state = s.n+2, inPayload
		return nil
	}
	n := s.n
	if s.kind == '%' || s.kind == '|' {
		n *= 2 // keys and values
	}
	if n == 0 {
		if s.kind != '|' {
			s.done()
		}
		return nil
	}
	if s.depth == maxDepth {
		return s.fail(fmt.Sprintf("aggregates nested deeper than %d", maxDepth))
	}
	if s.pending+n > maxElements {
		return s.fail(fmt.Sprintf("aggregates claiming more than %d elements", maxElements))
	}
	s.pending += n
	s.stack[s.depth] = frame{left: n, attr: s.kind == '|'}
	s.depth++
	return nil
}

// enter counts a value beginning as an element of the open aggregate.
func (s *respScanner) enter() {
	if s.depth > 0 {
		s.stack[s.depth-1].left--
		s.pending--
	}
}

// done closes the aggregates that the value just completed completes.
func (s *respScanner) done() {
	for s.depth > 0 {
		f := s.stack[s.depth-1]
		if f.left > 0 {
			return
		}
		s.depth--
		if f.attr {
			return // the value it describes comes next
		}
	}
}

// limit is what the length being read may be at most.
func (s *respScanner) limit() int64 {
	switch s.kind {
	case '$', '=', '!':
		return maxBulk
	}
	return maxElements
}

// what names the length being read.
func (s *respScanner) what() string {
	switch s.kind {
	case '$':
		return "bulk string length"
	case '=':
		return "verbatim string length"
	case '!':
		return "blob error length"
	case '*':
		return "array length"
	case '%':
		return "map length"
	case '~':
		return "set length"
	case '>':
		return "push length"
	}
	return "attribute length"
}

// fail records the first violation of the stream.
func (s *respScanner) fail(what string) error {
	s.err = fmt.Errorf("%w: %s sent %s; the connection is dropped", ErrProtocol, s.addr, what)
	return s.err
}
