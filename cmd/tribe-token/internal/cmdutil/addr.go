package cmdutil

import (
	"errors"
	"net"
	"strconv"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
)

// CheckListenAddr refuses an --addr to listen on that is not HOST:PORT
// with a port number from 0 to 65535, as bad usage rather than a failure
// to listen.
func CheckListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		why := err.Error()
		if ae, ok := errors.AsType[*net.AddrError](err); ok {
			why = ae.Err // without the address, echoed clipped already
		}
		return Usagef("--addr %q is not HOST:PORT (e.g. 127.0.0.1:8080, or port 0 for any free port): %s", text.Clip(addr), why)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n > 65535 {
		return Usagef("--addr %q has no port number from 0 to 65535", text.Clip(addr))
	}
	return nil
}
