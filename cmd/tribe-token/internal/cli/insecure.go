package cli

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
	"github.com/tribekit/tribekit/internal/loopback"
)

// insecureHelp is --insecure-http's help, the same on every command that
// has it.
const insecureHelp = "allow a plain http URL on a host that is not loopback (a mock in Docker, say); INSECURE: credentials and tokens travel in clear text"

// addInsecureFlag adds --insecure-http, which lets a command send
// credentials or tokens over plain http to a host that is not loopback.
func addInsecureFlag(cmd *cobra.Command, dst *bool) {
	cmd.Flags().BoolVar(dst, "insecure-http", false, insecureHelp)
}

// urlFrom is a URL a command sends secrets or tokens to, and where the user
// gave it: a flag ("--base-url") or an environment variable
// ("TRIBE_CRM_BASE_URL").
type urlFrom struct {
	source string
	url    string
}

// checkURLs refuses, unless insecure, each URL that is plain http to a host
// that is not loopback (127.0.0.0/8, ::1, localhost): whatever the command
// sends there (client secrets, passwords, codes, tokens) would cross the
// network in clear text (RFC 6749 section 1.6, RFC 9700 section 2.6). It
// is called before anything is sent. An empty URL (the library's https
// default) and one that does not parse (the library says what is wrong
// with it) pass. The password in a URL's userinfo becomes a secret of the
// run, and the message shows only the URL's scheme and host.
func (e *env) checkURLs(insecure bool, urls ...urlFrom) error {
	for _, f := range urls {
		if f.url == "" {
			continue
		}
		u, err := url.Parse(strings.TrimSpace(f.url))
		if err != nil {
			continue
		}
		if u.User != nil {
			if pw, ok := u.User.Password(); ok {
				e.addSecret(pw)
			}
		}
		if insecure || !strings.EqualFold(u.Scheme, "http") || loopback.Host(u.Hostname()) {
			continue
		}
		return usagef("%s is plain http to %s, a host that is not loopback, so credentials and tokens would travel in clear text; use an https URL, or pass --insecure-http if you really mean it", f.source, u.Host)
	}
	return nil
}

// httpClient returns the client every request of the run is sent with: nil,
// so that the libraries use their own (with an overall timeout), unless a
// test gave the run a transport of its own.
func (e *env) httpClient() *http.Client {
	if e.transport == nil {
		return nil
	}
	return &http.Client{Transport: e.transport}
}
