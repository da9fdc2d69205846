package cmdutil

import (
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/loopback"
	"github.com/tribekit/tribekit/internal/urlcheck"
)

// InsecureHelp is --insecure-http's help, the same on every command that
// has it.
const InsecureHelp = "allow a plain http URL on a host that is not loopback (a mock in Docker, say); INSECURE: credentials and tokens travel in clear text"

// AddInsecureFlag adds --insecure-http, which lets a command send
// credentials or tokens over plain http to a host that is not loopback.
func AddInsecureFlag(cmd *cobra.Command, dst *bool) {
	cmd.Flags().BoolVar(dst, "insecure-http", false, InsecureHelp)
}

// URLFrom is a URL a command sends secrets or tokens to, and where the user
// gave it: a flag ("--base-url") or an environment variable
// ("TRIBE_CRM_BASE_URL").
type URLFrom struct {
	Source string
	URL    string
	// Example is a URL to suggest when this one is not an absolute
	// http(s) URL; https://example.com if empty.
	Example string
}

// CheckURLs checks, before anything is sent, each URL a command sends
// secrets or tokens to, naming the flag or environment variable it came
// from: it must be an absolute http(s) URL with a host, and, unless
// insecure, not plain http to a host that is not loopback (127.0.0.0/8,
// ::1, localhost): whatever the command sends there (client secrets,
// passwords, codes, tokens) would cross the network in clear text (RFC 6749
// section 1.6, RFC 9700 section 2.6). An empty URL (the library's https
// default) passes. The password in a URL's userinfo becomes a secret of the
// run, and the messages never show the userinfo.
func (f *Factory) CheckURLs(insecure bool, urls ...URLFrom) error {
	for _, from := range urls {
		if from.URL == "" {
			continue
		}
		raw := strings.TrimSpace(from.URL)
		u, err := url.Parse(raw)
		if err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok {
				f.AddSecret(pw)
			}
		}
		example := from.Example
		if example == "" {
			example = "https://example.com"
		}
		// The shape: the message of the one URL check, naming the flag.
		if _, err := urlcheck.Parse(raw, from.Source, "--insecure-http", example, true); err != nil {
			return Usagef("%w", err)
		}
		if insecure || !strings.EqualFold(u.Scheme, "http") || loopback.Host(u.Hostname()) {
			continue
		}
		return Usagef("%s is plain http to %s, a host that is not loopback, so credentials and tokens would travel in clear text; use an https URL, or pass --insecure-http if you really mean it", from.Source, text.Clip(u.Host))
	}
	return nil
}
