package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/tribekit/tribekit/internal/loopback"
)

// ErrClearText: a client the store makes was about to dial a Redis node
// that is not loopback without TLS, so the Redis password and the tokens
// would have crossed the network in clear text. The dial is refused before
// any packet is sent. Options.AllowInsecure allows it.
var ErrClearText = errors.New("redisstore: refusing plain text to a host that is not loopback")

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
	conn, err := netDial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if d.tls != nil && network != "unix" {
		cfg := d.tls.Clone()
		cfg.ServerName = host
		tc := tls.Client(conn, cfg)
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
			return nil, fmt.Errorf("redisstore: TLS with %s: %w", addr, err)
		}
		conn = tc
	}
	return newBoundedConn(conn, addr), nil
}
