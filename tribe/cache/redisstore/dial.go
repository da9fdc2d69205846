package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/tribekit/tribekit/internal/loopback"
)

// ErrClearText: a client the store makes was about to dial a Redis node
// that is not loopback without TLS, so the Redis password and the tokens
// would have crossed the network in clear text. The dial is refused before
// any packet is sent. Options.AllowInsecure allows it.
var ErrClearText = errors.New("redisstore: refusing plain text to a host that is not loopback")

// ErrNoTLS: a rediss:// client found no TLS at a Redis node: the node
// answered the TLS handshake in plain text, or not at all, as a plain-text
// Redis does (it waits for a command, and a TLS handshake holds none). For
// a plain-text Redis on loopback, use redis://.
var ErrNoTLS = errors.New("redisstore: no TLS from the Redis server")

// dialer connects a client the store makes to each Redis node go-redis
// asks for, the nodes a Sentinel or Cluster names included (go-redis's
// Dialer option, which replaces its own dial and TLS): it does TLS itself,
// checking each node's certificate against that node's own host, and puts a
// [boundedConn] above it. Without TLS it dials only loopback hosts
// (internal/loopback's rule: localhost or a loopback IP address) and Unix
// sockets, unless insecure: every address, whoever named it, is checked
// before it is dialled.
type dialer struct {
	tls      *tls.Config // nil: plain text
	insecure bool        // plain text to any host
	timeout  time.Duration
	// netDial opens the connection (nil: a net.Dialer with timeout).
	netDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// dial is go-redis's Options.Dialer.
func (d *dialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host := addr
	if network != "unix" {
		h, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("redisstore: the Redis address %q has no port: %w", addr, err)
		}
		host = h
		if d.tls == nil && !d.insecure && !loopback.Host(host) {
			return nil, fmt.Errorf("%w: %s is to be dialled without TLS, and the Redis password and the tokens would cross the network in clear text; use rediss:// (TLS), or set Options.AllowInsecure if the network is private", ErrClearText, addr)
		}
	}
	netDial := d.netDial
	if netDial == nil {
		netDial = (&net.Dialer{Timeout: d.timeout}).DialContext
	}
	start := time.Now()
	conn, err := netDial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if d.tls != nil && network != "unix" {
		connected := time.Now()
		cfg := d.tls.Clone()
		cfg.ServerName = host
		counted := &countingConn{Conn: conn}
		tc := tls.Client(counted, cfg)
		// The handshake is bounded by the socket's deadline, which holds
		// whether or not ctx's Done closes at its deadline.
		deadline, ok := ctx.Deadline()
		if d.timeout > 0 && (!ok || time.Until(deadline) > d.timeout) {
			deadline, ok = time.Now().Add(d.timeout), true
		}
		if ok {
			_ = conn.SetDeadline(deadline)
		}
		err := tc.HandshakeContext(ctx)
		_ = conn.SetDeadline(time.Time{})
		if err != nil {
			_ = conn.Close()
			return nil, tlsError(addr, err, counted.n, connected.Sub(start), time.Since(connected))
		}
		conn = tc
	}
	return newBoundedConn(conn, addr), nil
}

// tlsError describes err, a TLS handshake with addr that failed after got
// bytes came back from it, in waited, the TCP connection having taken
// connect. It is [ErrNoTLS] when addr answered in plain text (the first
// record is not TLS: tls.RecordHeaderError), and when it sent nothing back
// until the handshake timed out, although it took twice as long as the
// connection did (a TLS server answers a handshake within about one round
// trip; a slow network, whose connection took most of the time, gets no
// hint).
func tlsError(addr string, err error, got int64, connect, waited time.Duration) error {
	var header tls.RecordHeaderError
	switch {
	case errors.As(err, &header):
		return fmt.Errorf("%w: %s answered the TLS handshake in plain text (%w); use redis:// for a plain-text Redis on loopback", ErrNoTLS, addr, err)
	case got == 0 && waited >= 2*connect && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)):
		shown := waited.Round(time.Millisecond)
		if waited > 100*time.Millisecond {
			shown = waited.Round(10 * time.Millisecond)
		}
		return fmt.Errorf("%w: %s did not answer the TLS handshake within %s (%w), so it may not speak TLS; use redis:// for a plain-text Redis on loopback, or raise dial_timeout in the URL if it is slow", ErrNoTLS, addr, shown, err)
	}
	return fmt.Errorf("redisstore: TLS with %s: %w", addr, err)
}

// countingConn counts the bytes read from its connection: the TLS
// handshake's reads add to n, which the dialler reads once the handshake
// has returned.
type countingConn struct {
	net.Conn
	n int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n += int64(n)
	return n, err
}
