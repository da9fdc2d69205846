// Package login is "tribe-token crm login": the OAuth 2.0 authorization
// code flow through the user's browser, with a loopback redirect, keeping
// the token in a file.
package login

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/loopback"
	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/tribe/crm"
)

// Options are crm login's inputs.
type Options struct {
	Factory *cmdutil.Factory

	CRM                 shared.Flags
	Port                int
	Organization        string
	Open                bool
	AllowNarrowerScopes bool
	Wait                time.Duration
}

// NewCmdLogin builds "crm login". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdLogin(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "login",
		Short:      "Log in to Tribe CRM through your browser and keep the token",
		SuggestFor: []string{"auth", "signin", "sign-in"},
		Long: `Log in with the OAuth 2.0 authorization code flow, the way gh and gcloud do:
listen on 127.0.0.1 for the redirect, print the consent URL on stderr (and,
with --open, open it in your browser with xdg-open or open), wait for the
browser to come back, check the state, exchange the code and save the token to
the token file (--store), mode 0600. A second file is written beside it,
STORE.meta.json (mode 0600): the redirect URL used and the scopes granted, as
each refresh must send the redirect URL again. It holds no secret (no token,
code or client secret); 'crm token' and 'crm whoami' read it when they refresh
the stored token. Delete both files to log out.

The browser is opened only with --open, so that nothing starts a browser on a
server or in CI unasked. The application must have the loopback redirect URL
registered: http://127.0.0.1/callback (any port), or give --redirect-url or
--port to match the registered one.`,
		Example: `  export TRIBE_CRM_CLIENT_ID=... TRIBE_CRM_CLIENT_SECRET=...
  tribe-token crm login --open
  tribe-token crm login --redirect-url http://127.0.0.1:8765/callback --store ./crm-token.json`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Serve(f, opts, opts.validate, runF, loginRun),
	}
	opts.CRM.Add(cmd)
	cmd.Flags().IntVar(&opts.Port, "port", 0, "port to listen on for the redirect when --redirect-url is not given (0: any free port)")
	cmd.Flags().StringVar(&opts.Organization, "organization", "", "organisation UUID to authorize for (organization_id)")
	cmd.Flags().BoolVar(&opts.Open, "open", false, "open the consent URL in a browser (xdg-open or open)")
	cmd.Flags().BoolVar(&opts.AllowNarrowerScopes, "allow-narrower-scopes", false, "go on when the CRM grants fewer scopes than asked")
	cmd.Flags().DurationVar(&opts.Wait, "wait", 5*time.Minute, "how long to wait for the browser to come back")
	return cmd
}

// isUUID reports whether s has the form of an organisation id: 8-4-4-4-12
// hexadecimal digits.
func isUUID(s string) bool {
	groups := strings.Split(s, "-")
	if len(groups) != 5 {
		return false
	}
	for i, g := range groups {
		if len(g) != [...]int{8, 4, 4, 4, 12}[i] {
			return false
		}
		for _, c := range g {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if o.Wait <= 0 {
		return cmdutil.Usagef("--wait %s is not positive; give how long to wait for the browser, e.g. 5m", o.Wait)
	}
	if o.Port < 0 || o.Port > 65535 {
		return cmdutil.Usagef("--port %d is out of range; use 1 to 65535, or 0 for any free port", o.Port)
	}
	if o.Organization != "" && !isUUID(o.Organization) {
		return cmdutil.Usagef("--organization %q is not a UUID; give the organisation's UUID, 8-4-4-4-12 hexadecimal digits, or leave it out", text.Clip(o.Organization))
	}
	if r := o.CRM.RedirectURL; r != "" {
		u, err := url.Parse(r)
		if err != nil || !strings.EqualFold(u.Scheme, "http") || !loopback.Host(u.Hostname()) {
			return cmdutil.Usagef("--redirect-url must be a plain http URL on 127.0.0.1, [::1] or localhost, where the login listens for the browser; leave it out for http://127.0.0.1:PORT/callback")
		}
	}
	return o.CRM.Validate()
}

// loginRun logs in through the browser and saves the token.
func loginRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	cf := &opts.CRM
	// The browser carries the code to our loopback listener; the consent
	// page sees the user's login and the token endpoint the client secret
	// and the code.
	if err := cf.CheckURLs(f, shared.UseAuth|shared.UseToken); err != nil {
		return err
	}
	cfg, err := cf.Config(f, true)
	if err != nil {
		return err
	}
	path, err := cf.StorePath()
	if err != nil {
		return err
	}
	// The code the browser brings back is spent on the token: make
	// sure the token can be saved before the login starts.
	if err := shared.CheckStoreWritable(path); err != nil {
		return cmdutil.Usagef("cannot save the token to %s (%w); pick another --store", path, err)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Wait)
	defer cancel()
	l := &crm.LoopbackLogin{
		Config:              cfg,
		Store:               crm.FileStore{Path: path},
		Port:                opts.Port,
		OrganizationID:      opts.Organization,
		AllowNarrowerScopes: opts.AllowNarrowerScopes,
		Open: func(u string) error {
			fmt.Fprintf(f.ErrOut, "Open this URL in your browser to authorize tribe-token (waiting up to %s):\n  %s\n", text.RoughDuration(opts.Wait), text.Inert(u))
			if opts.Open {
				if err := openBrowser(ctx, f, u); err != nil {
					fmt.Fprintf(f.ErrOut, "Could not open a browser (%s); open the URL yourself.\n", text.Inert(f.Redact(err.Error())))
				}
			}
			return nil
		},
	}
	res, err := l.Login(ctx)
	if res != nil && res.Token != nil {
		f.AddSecret(res.Token.AccessToken, res.Token.RefreshToken)
	}
	if err != nil && res != nil && res.Token != nil {
		// The code is spent and the token not saved: print it, as
		// it is the only copy.
		var t text.Table
		t.Add("logged in", "yes, but the token is NOT saved")
		t.Add("access token", res.Token.AccessToken)
		t.Add("refresh token", res.Token.RefreshToken)
		t.Add("redirect url", res.RedirectURL)
		if werr := t.Write(f.Out); werr != nil {
			return werr
		}
		return fmt.Errorf("the token was NOT saved to %s (%w); it is printed on stdout: keep the refresh token, and pass the redirect URL with --redirect-url when refreshing it", path, err)
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return cmdutil.WithTimeoutHint(err, fmt.Sprintf("the browser did not come back within --wait %s; raise --wait", opts.Wait))
		}
		return shared.Error(err, path)
	}
	if err := shared.SaveMeta(path, shared.Meta{RedirectURL: res.RedirectURL, Scopes: res.Scopes}); err != nil {
		return err
	}
	var t text.Table
	t.Add("logged in", "yes")
	t.Add("token file", path)
	t.Add("scopes", strings.Join(res.Scopes, " "))
	t.Add("expires", text.DescribeTime(res.Token.Expiry, f.Now(), "expired"))
	refresh := "no (ask for the offline scope to stay logged in)"
	if res.Token.RefreshToken != "" {
		refresh = "yes, kept in the token file"
	}
	t.Add("refresh token", refresh)
	return t.Write(f.Out)
}

// openBrowser starts the platform's URL opener (or the run's browser
// command) on u without waiting for it, with [BrowserEnv] as its
// environment.
func openBrowser(ctx context.Context, f *cmdutil.Factory, u string) error {
	argv := f.Browser
	if len(argv) == 0 {
		switch runtime.GOOS {
		case "darwin":
			argv = []string{"open"}
		case "windows":
			argv = []string{"rundll32", "url.dll,FileProtocolHandler"}
		default:
			argv = []string{"xdg-open"}
		}
	}
	c := exec.CommandContext(ctx, argv[0], append(argv[1:len(argv):len(argv)], u)...)
	c.Env = BrowserEnv(f)
	if err := c.Start(); err != nil {
		return err
	}
	go func() { _ = c.Wait() }()
	return nil
}

// BrowserEnv is the process environment without what the browser (and
// whatever it starts: extensions, helpers, crash reporters) has no business
// seeing: every TRIBE_* variable, every variable whose name looks like a
// secret's (*SECRET*, *TOKEN*, *PASSWORD*, *PASSWD*, *KEY*, *CREDENTIAL*,
// in any case), and every variable whose value holds a secret this run read,
// in any form, or anything shaped like a credential. It is never nil, as a
// nil environment would be the whole of this process's.
func BrowserEnv(f *cmdutil.Factory) []string {
	environ := f.Environ
	if environ == nil {
		environ = os.Environ
	}
	all := environ()
	secrets := f.Secrets()
	out := make([]string, 0, len(all))
	for _, kv := range all {
		name, value, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if strings.HasPrefix(upper, "TRIBE_") || redact.Contains(value, secrets...) {
			continue
		}
		secret := false
		for _, p := range [...]string{"SECRET", "TOKEN", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL"} {
			if strings.Contains(upper, p) {
				secret = true
				break
			}
		}
		if !secret {
			out = append(out, kv)
		}
	}
	return out
}
