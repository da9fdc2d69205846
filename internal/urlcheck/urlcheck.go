// Package urlcheck checks the URLs this module sends secrets to: absolute
// http(s), credentials in the userinfo taken out, and plain http only to a
// loopback host unless the caller opted in. Its messages never echo what
// may be a secret.
package urlcheck

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/tribekit/tribekit/internal/loopback"
)

// Checked is a URL that passed [Parse]: absolute http(s) without credentials, and the
// credentials that were in its userinfo, if any.
type Checked struct {
	URL       string // without userinfo
	Scheme    string // the URL's scheme and host, to pin credentials to
	Host      string
	User      string
	Password  string
	HasUser   bool
	HasPasswd bool
}

// Parse checks raw, named field in messages (e.g. "endpoint", "TokenURL").
// Plain http is accepted only for a loopback host unless allowInsecure is
// set; optOut names that setting in the message (e.g. "AllowInsecureHTTP").
// example is a URL to suggest. Errors say what is wrong and how to fix it,
// without a package prefix, and never hold the userinfo.
func Parse(raw, field, optOut, example string, allowInsecure bool) (Checked, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the whole input, secret included.
		return Checked{}, fmt.Errorf("%s is not a valid URL; give an absolute https URL such as %s", field, example)
	}
	var ep Checked
	if u.User != nil {
		ep.User = u.User.Username()
		ep.Password, ep.HasPasswd = u.User.Password()
		ep.HasUser = true
		u.User = nil
	}
	shown := u.String()
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return Checked{}, fmt.Errorf("%s %s is not an absolute http(s) URL; give one such as %s", field, ShowBad(raw, u), example)
	case u.Host == "" || u.Hostname() == "":
		return Checked{}, fmt.Errorf("%s %q has no host; give one such as %s", field, shown, example)
	case u.Scheme == "http" && !allowInsecure && !loopback.Host(u.Hostname()):
		return Checked{}, fmt.Errorf("%s %q is plain http to a host that is not loopback, so credentials would travel in clear text; use https, or set %s if you really mean it", field, shown, optOut)
	}
	ep.URL = shown
	ep.Scheme = u.Scheme
	ep.Host = u.Host
	return ep, nil
}

// ShowBad describes a URL that is not http(s) for an error message without
// echoing what may be a secret: "id:secret@host" parses as scheme "id" with
// an opaque "secret@host", so only the scheme is shown then.
func ShowBad(raw string, u *url.URL) string {
	switch {
	case u.Scheme != "":
		return fmt.Sprintf("with scheme %q", u.Scheme)
	case strings.ContainsAny(raw, "@?#"):
		return "(not shown: it may hold a secret)"
	}
	return fmt.Sprintf("%q", raw)
}

// Redacted returns raw with any userinfo password replaced, for display.
// Text that does not parse is hidden whole, as it may hold a secret.
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparsable URL]"
	}
	return u.Redacted()
}
