package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/tribe/crm"
)

// newCRMLoginCmd builds "crm login".
func (e *env) newCRMLoginCmd() *cobra.Command {
	var (
		cf     crmFlags
		port   int
		org    string
		open   bool
		narrow bool
		wait   time.Duration
	)
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to Tribe CRM through your browser and keep the token",
		Long: `Log in with the OAuth 2.0 authorization code flow, the way gh and gcloud do:
listen on 127.0.0.1 for the redirect, print the consent URL on stderr (and,
with --open, open it in your browser with xdg-open or open), wait for the
browser to come back, check the state, exchange the code and save the token to
the token file (--store), mode 0600. The redirect URL used is recorded beside
it, as refreshes must send it again.

The browser is opened only with --open, so that nothing starts a browser on a
server or in CI unasked. The application must have the loopback redirect URL
registered: http://127.0.0.1/callback (any port), or give --redirect-url or
--port to match the registered one.`,
		Example: `  export TRIBE_CRM_CLIENT_ID=... TRIBE_CRM_CLIENT_SECRET=...
  tribe-token crm login --open
  tribe-token crm login --redirect-url http://127.0.0.1:8765/callback --store ./crm-token.json`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if wait <= 0 {
				return usagef("--wait %s is not positive; give how long to wait for the browser, e.g. 5m", wait)
			}
			// The browser carries the code to our loopback listener; the
			// consent page sees the user's login and the token endpoint the
			// client secret and the code.
			if err := cf.checkURLs(e, useAuth|useToken); err != nil {
				return err
			}
			cfg, err := cf.config(e, true)
			if err != nil {
				return err
			}
			path, err := cf.storePath()
			if err != nil {
				return err
			}
			// The code the browser brings back is spent on the token: make
			// sure the token can be saved before the login starts.
			if err := checkStoreWritable(path); err != nil {
				return usagef("cannot save the token to %s (%w); pick another --store", path, err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), wait)
			defer cancel()
			l := &crm.LoopbackLogin{
				Config:              cfg,
				Store:               crm.FileStore{Path: path},
				Port:                port,
				OrganizationID:      org,
				AllowNarrowerScopes: narrow,
				Open: func(u string) error {
					fmt.Fprintf(e.stderr, "Open this URL in your browser to authorize tribe-token (waiting up to %s):\n  %s\n", roughDuration(wait), inert(u))
					if open {
						if err := e.openBrowser(ctx, u); err != nil {
							fmt.Fprintf(e.stderr, "Could not open a browser (%s); open the URL yourself.\n", inert(e.redact(err.Error())))
						}
					}
					return nil
				},
			}
			res, err := l.Login(ctx)
			if res != nil && res.Token != nil {
				e.addSecret(res.Token.AccessToken, res.Token.RefreshToken)
			}
			if err != nil && res != nil && res.Token != nil {
				// The code is spent and the token not saved: print it, as
				// it is the only copy.
				var t table
				t.add("logged in", "yes, but the token is NOT saved")
				t.add("access token", res.Token.AccessToken)
				t.add("refresh token", res.Token.RefreshToken)
				t.add("redirect url", res.RedirectURL)
				if werr := t.write(e.stdout); werr != nil {
					return werr
				}
				return fmt.Errorf("the token was NOT saved to %s (%w); it is printed on stdout: keep the refresh token, and pass the redirect URL with --redirect-url when refreshing it", path, err)
			}
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					return withTimeoutHint(err, fmt.Sprintf("the browser did not come back within --wait %s; raise --wait", wait))
				}
				return crmError(err, path)
			}
			if err := saveMeta(path, crmMeta{RedirectURL: res.RedirectURL, Scopes: res.Scopes}); err != nil {
				return err
			}
			var t table
			t.add("logged in", "yes")
			t.add("token file", path)
			t.add("scopes", strings.Join(res.Scopes, " "))
			t.add("expires", describeTime(res.Token.Expiry, e.now(), "expired"))
			refresh := "no (ask for the offline scope to stay logged in)"
			if res.Token.RefreshToken != "" {
				refresh = "yes, kept in the token file"
			}
			t.add("refresh token", refresh)
			return t.write(e.stdout)
		}),
	}
	cf.add(cmd)
	cmd.Flags().IntVar(&port, "port", 0, "port to listen on for the redirect when --redirect-url is not given (0: any free port)")
	cmd.Flags().StringVar(&org, "organization", "", "organisation UUID to authorize for (organization_id)")
	cmd.Flags().BoolVar(&open, "open", false, "open the consent URL in a browser (xdg-open or open)")
	cmd.Flags().BoolVar(&narrow, "allow-narrower-scopes", false, "go on when the CRM grants fewer scopes than asked")
	cmd.Flags().DurationVar(&wait, "wait", 5*time.Minute, "how long to wait for the browser to come back")
	return cmd
}

// openBrowser starts the platform's URL opener (or the run's browser
// command) on u without waiting for it, with [env.browserEnv] as its
// environment.
func (e *env) openBrowser(ctx context.Context, u string) error {
	argv := e.browser
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
	c.Env = e.browserEnv()
	if err := c.Start(); err != nil {
		return err
	}
	go func() { _ = c.Wait() }()
	return nil
}

// browserEnv is the process environment without what the browser (and
// whatever it starts: extensions, helpers, crash reporters) has no business
// seeing: every TRIBE_* variable, every variable whose name looks like a
// secret's (*SECRET*, *TOKEN*, *PASSWORD*, *PASSWD*, *KEY*, *CREDENTIAL*,
// in any case), and every variable whose value holds a secret this run read,
// in any form, or anything shaped like a credential. It is never nil, as a
// nil environment would be the whole of this process's.
func (e *env) browserEnv() []string {
	environ := e.environ
	if environ == nil {
		environ = os.Environ
	}
	all := environ()
	out := make([]string, 0, len(all))
	for _, kv := range all {
		name, value, _ := strings.Cut(kv, "=")
		upper := strings.ToUpper(name)
		if strings.HasPrefix(upper, "TRIBE_") || redact.Contains(value, e.secrets...) {
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
