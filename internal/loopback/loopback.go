// Package loopback tells whether a host is this machine's loopback
// interface: the one rule, shared by every package of this module, for where
// plain http (or plain redis://) may carry a secret without an explicit
// opt-in.
//
// The rule is decided from the text alone, before any lookup, and takes on
// trust only what no resolver is asked about:
//   - "localhost" in any case, with no trailing dot: the name the hosts file
//     answers (RFC 6761 section 6.3);
//   - an IP literal in 127.0.0.0/8 or ::1, also bracketed ("[::1]") or
//     IPv4-mapped ("::ffff:127.0.0.1").
//
// "localhost." (the fully qualified form) and names under .localhost are
// not loopback here: Go's resolver sends them to DNS, so a hostile resolver
// could point them elsewhere and receive the secret. Neither are shorthand
// IPv4 forms ("127.1", "2130706433") or addresses with a zone ("::1%lo"),
// which are names to the resolver, not literals.
package loopback

import (
	"net/netip"
	"strings"
)

// Host reports whether host, a host name or IP address without port, names
// the loopback interface by the rule of the package doc: "localhost" (any
// case, no trailing dot), an IPv4 address in 127.0.0.0/8, or ::1 (bracketed
// or IPv4-mapped too). It never consults a resolver.
func Host(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if inner, ok := strings.CutPrefix(host, "["); ok {
		inner, ok = strings.CutSuffix(inner, "]")
		if !ok {
			return false
		}
		addr, err := netip.ParseAddr(inner)
		return err == nil && addr.Is6() && loopbackAddr(addr)
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && loopbackAddr(addr)
}

// loopbackAddr reports whether addr is a loopback address without a zone.
func loopbackAddr(addr netip.Addr) bool {
	return addr.Zone() == "" && addr.Unmap().IsLoopback()
}
