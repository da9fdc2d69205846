// Package loopback tells whether a host is this machine's loopback
// interface: the one rule, shared by every package of this module, for where
// plain http may carry a secret without an explicit opt-in.
package loopback

import (
	"net/netip"
	"strings"
)

// Host reports whether host, a host name or IP address without port or
// brackets, names the loopback interface: "localhost" (in any case, with or
// without a trailing dot), an IPv4 address in 127.0.0.0/8, or ::1 (also as
// an IPv4-mapped address). Other names under .localhost are not taken on
// trust: not every resolver follows RFC 6761 section 6.3 for them.
func Host(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.Unmap().IsLoopback()
}
