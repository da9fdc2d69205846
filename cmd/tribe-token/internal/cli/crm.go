package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
)

// Tribe CRM grants "crm token" and "crm whoami" can use.
const (
	grantStored            = "stored"
	grantClientCredentials = "client-credentials"
	grantRefreshToken      = "refresh-token"
)

// crmFlags are the settings of a Tribe CRM application and where its token
// is kept.
type crmFlags struct {
	clientID, secretFile      string
	baseURL                   string
	authURL, tokenURL, apiURL string
	redirectURL               string
	scopes                    []string
	store                     string
}

// add registers the flags on cmd.
func (f *crmFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.clientID, "client-id", "", "CRM application's client id (default $TRIBE_CRM_CLIENT_ID)")
	fl.StringVar(&f.secretFile, "client-secret-file", "", "read the CRM application's secret from `FILE` (- for stdin; default $TRIBE_CRM_CLIENT_SECRET)")
	fl.StringVar(&f.baseURL, "base-url", "", "take OAuth (URL/oauth2/…) and the API from one base `URL`, as a mock CRM serves them (default $TRIBE_CRM_BASE_URL)")
	fl.StringVar(&f.authURL, "auth-url", "", "consent endpoint (default "+crm.DefaultAuthURL+")")
	fl.StringVar(&f.tokenURL, "token-url", "", "token endpoint (default "+crm.DefaultTokenURL+")")
	fl.StringVar(&f.apiURL, "api-url", "", "API base URL (default "+crm.DefaultAPIBaseURL+")")
	fl.StringVar(&f.redirectURL, "redirect-url", "", "the application's registered redirect URL, sent when refreshing (default: the one 'crm login' used)")
	fl.StringSliceVar(&f.scopes, "scope", []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}, "scopes to ask for")
	fl.StringVar(&f.store, "store", "", "token file (default "+filepath.Join("$CONFIG", "tribe-token", "crm-token.json")+", $CONFIG being your user config directory)")
}

// storePath returns the token file's path.
func (f *crmFlags) storePath() (string, error) {
	if f.store != "" {
		return f.store, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", usagef("no --store given and no user config directory: %w", err)
	}
	return filepath.Join(dir, "tribe-token", "crm-token.json"), nil
}

// urls returns the consent, token and API URLs.
func (f *crmFlags) urls(e *env) (auth, token, api string) {
	auth, token, api = f.authURL, f.tokenURL, f.apiURL
	base := f.baseURL
	if base == "" {
		base = e.getenv("TRIBE_CRM_BASE_URL")
	}
	if b := strings.TrimRight(base, "/"); b != "" {
		if auth == "" {
			auth = b + "/oauth2/auth"
		}
		if token == "" {
			token = b + "/oauth2/token"
		}
		if api == "" {
			api = b
		}
	}
	return auth, token, api
}

// config returns the application's settings, with the client secret if
// needSecret.
func (f *crmFlags) config(e *env, needSecret bool) (*crm.Config, error) {
	id := f.clientID
	if id == "" {
		id = e.getenv("TRIBE_CRM_CLIENT_ID")
	}
	if id == "" {
		return nil, usagef("no CRM client id: set TRIBE_CRM_CLIENT_ID, or pass --client-id")
	}
	auth, token, _ := f.urls(e)
	cfg := &crm.Config{
		ClientID:    id,
		Endpoint:    oauth2.Endpoint{AuthURL: auth, TokenURL: token},
		RedirectURL: f.redirectURL,
		Scopes:      f.scopes,
	}
	if needSecret {
		secret, err := e.secret(secretSpec{what: "CRM client secret", envVar: "TRIBE_CRM_CLIENT_SECRET", fileArg: "client-secret-file", file: f.secretFile})
		if err != nil {
			return nil, err
		}
		cfg.ClientSecret = secret
	}
	return cfg, nil
}

// crmMeta is what "crm login" records beside the token file: the redirect
// URL each refresh must send again. It holds no secret.
type crmMeta struct {
	RedirectURL string   `json:"redirect_url"`
	Scopes      []string `json:"scopes,omitempty"`
}

// metaPath is the path of the record beside the token file.
func metaPath(store string) string { return store + ".meta.json" }

// saveMeta records m beside the token file.
func saveMeta(store string, m crmMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(metaPath(store), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("recording the redirect URL beside the token: %w", err)
	}
	return nil
}

// loadMeta reads the record beside the token file; a missing one is empty.
func loadMeta(store string) crmMeta {
	var m crmMeta
	if b, err := os.ReadFile(metaPath(store)); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// storedSource returns a token source over the token file that refreshes
// the token when it has expired, saving each new one.
func (f *crmFlags) storedSource(ctx context.Context, e *env) (oauth2.TokenSource, string, error) {
	path, err := f.storePath()
	if err != nil {
		return nil, "", err
	}
	store := crm.FileStore{Path: path}
	cfg, err := f.config(e, true)
	if err != nil {
		// Without the application's credentials a stored token can still
		// be used until it expires.
		var ue *usageError
		if !errors.As(err, &ue) {
			return nil, "", err
		}
		tok, lerr := store.Load(ctx)
		if lerr != nil {
			return nil, "", crmStoreError(lerr, path)
		}
		if !tok.Valid() {
			return nil, "", withHint(err, "the stored token has expired and refreshing it needs the application's credentials")
		}
		return oauth2.StaticTokenSource(tok), path, nil
	}
	if cfg.RedirectURL == "" {
		cfg.RedirectURL = loadMeta(path).RedirectURL
	}
	if cfg.RedirectURL == "" {
		return nil, "", usagef("no redirect URL for refreshing the stored token: pass --redirect-url (the application's registered one), or log in again with 'tribe-token crm login'")
	}
	ts, err := cfg.TokenSource(ctx, store)
	return ts, path, err
}

// crmStoreError explains a token file that could not be used.
func crmStoreError(err error, path string) error {
	if errors.Is(err, crm.ErrNoToken) {
		return &usageError{withHint(err, fmt.Sprintf("no token at %s yet: run 'tribe-token crm login', or 'tribe-token crm token --grant refresh-token' with a refresh token from the CRM", path))}
	}
	return err
}

// crmError adds what to do to a failed CRM call.
func crmError(err error, path string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, crm.ErrNoToken):
		return crmStoreError(err, path)
	case errors.Is(err, crm.ErrInvalidGrant):
		return withHint(err, "the refresh token is expired, revoked or already used; log in again with 'tribe-token crm login'")
	case errors.Is(err, crm.ErrUnauthorized):
		return withHint(err, "the access token was refused; get a new one with 'tribe-token crm token'")
	}
	return err
}

// newCRMCmd builds "crm" and its subcommands.
func (e *env) newCRMCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "crm",
		Short: "Tokens for Tribe CRM (tribecrm.nl), a separate product",
		Long: `Tribe CRM (tribecrm.nl) is another product of the same name, with a standard
OAuth 2.0 server. These commands get and keep its tokens:

  crm login    authorization code flow through your browser; the token is kept
               in a file (--store) and refreshed from it
  crm token    print an access token: the stored one (refreshed when expired),
               one for client credentials, or one from a refresh token copied
               from the CRM (quick setup)
  crm whoami   the CRM user the token acts as (GetCurrentEmployee)

The CRM rotates refresh tokens: each refresh replaces the old one, and the new
one is saved to the token file before it is used.`,
		Example: `  export TRIBE_CRM_CLIENT_ID=... TRIBE_CRM_CLIENT_SECRET=...
  tribe-token crm login --open
  tribe-token crm whoami
  curl -H "Authorization: Bearer $(tribe-token crm token)" https://api.tribecrm.nl/v1/odata/Relation_Person`,
		Args: groupArgs,
		RunE: e.runE(groupRun),
	}
	cmd.AddCommand(e.newCRMTokenCmd(), e.newCRMLoginCmd(), e.newCRMWhoamiCmd())
	return cmd
}

// newCRMTokenCmd builds "crm token".
func (e *env) newCRMTokenCmd() *cobra.Command {
	var (
		cf          crmFlags
		grant       string
		rtFile      string
		withRefresh bool
		output      string
	)
	cmd := &cobra.Command{
		Use:   "token [--grant stored|client-credentials|refresh-token]",
		Short: "Print a Tribe CRM access token",
		Long: `Print a Tribe CRM access token, by --grant:

  stored              (default) the token in the token file (--store), refreshed
                      and saved again when it has expired; see 'crm login'
  client-credentials  a token for the application's own virtual user, for
                      server-to-server jobs; nothing is stored
  refresh-token       quick setup: trade a refresh token copied from the CRM
                      (Configuration > Applications > Refresh token), from
                      TRIBE_CRM_REFRESH_TOKEN or --refresh-token-file, and save
                      the new token to the token file; needs --redirect-url

The application's credentials come from TRIBE_CRM_CLIENT_ID / --client-id and
TRIBE_CRM_CLIENT_SECRET / --client-secret-file.`,
		Example: `  tribe-token crm token
  tribe-token crm token --grant client-credentials -o json
  TRIBE_CRM_REFRESH_TOKEN=... tribe-token crm token --grant refresh-token --redirect-url https://app.example.com/oauth/callback`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outToken, outJSON, outEnv); err != nil {
				return err
			}
			if withRefresh && output == outToken {
				return usagef("--with-refresh-token needs --output json or env; the token output is the access token alone")
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			var (
				tok      *oauth2.Token
				identity string
				path     string
				err      error
			)
			switch grant {
			case grantStored:
				var ts oauth2.TokenSource
				if ts, path, err = cf.storedSource(ctx, e); err != nil {
					return err
				}
				tok, err = ts.Token()
				identity = "crm user (token file " + path + ")"
			case grantClientCredentials:
				var cfg *crm.Config
				if cfg, err = cf.config(e, true); err != nil {
					return err
				}
				var ts oauth2.TokenSource
				if ts, err = cfg.ClientCredentialsTokenSource(ctx); err != nil {
					return err
				}
				tok, err = ts.Token()
				identity = "crm application " + cfg.ClientID
			case grantRefreshToken:
				var cfg *crm.Config
				if cfg, err = cf.config(e, true); err != nil {
					return err
				}
				if path, err = cf.storePath(); err != nil {
					return err
				}
				if cfg.RedirectURL == "" {
					return usagef("--grant refresh-token needs --redirect-url: the application's registered redirect URL, which the CRM wants with every refresh")
				}
				rt, serr := e.secret(secretSpec{what: "CRM refresh token", envVar: "TRIBE_CRM_REFRESH_TOKEN", fileArg: "refresh-token-file", file: rtFile})
				if serr != nil {
					return serr
				}
				tok, err = cfg.QuickSetup(ctx, rt, crm.FileStore{Path: path})
				if err == nil {
					err = saveMeta(path, crmMeta{RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes})
				}
				identity = "crm user (token file " + path + ")"
			default:
				return usagef("unknown --grant %q; use stored, client-credentials or refresh-token", grant)
			}
			if err != nil {
				return crmError(err, path)
			}
			out := newTokenOutput(tok, identity)
			out.EnvVar = "TRIBE_CRM_TOKEN"
			out.RefreshEnvVar = "TRIBE_CRM_REFRESH_TOKEN"
			if withRefresh {
				out.RefreshToken = tok.RefreshToken
			}
			return writeToken(e.stdout, output, out)
		}),
	}
	cf.add(cmd)
	cmd.Flags().StringVar(&grant, "grant", grantStored, "how to get the token: stored, client-credentials or refresh-token")
	cmd.Flags().StringVar(&rtFile, "refresh-token-file", "", "read the refresh token for --grant refresh-token from `FILE` (- for stdin; default $TRIBE_CRM_REFRESH_TOKEN)")
	cmd.Flags().BoolVar(&withRefresh, "with-refresh-token", false, "also print the refresh token (json and env output only)")
	_ = cmd.RegisterFlagCompletionFunc("grant", cobra.FixedCompletions([]string{grantStored, grantClientCredentials, grantRefreshToken}, cobra.ShellCompDirectiveNoFileComp))
	addOutputFlag(cmd, &output, outToken, outJSON, outEnv)
	return cmd
}

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
			cfg, err := cf.config(e, true)
			if err != nil {
				return err
			}
			path, err := cf.storePath()
			if err != nil {
				return err
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
					fmt.Fprintf(e.stderr, "Open this URL in your browser to authorize tribe-token (waiting up to %s):\n  %s\n", roughDuration(wait), u)
					if open {
						if err := openBrowser(ctx, u); err != nil {
							fmt.Fprintf(e.stderr, "Could not open a browser (%v); open the URL yourself.\n", err)
						}
					}
					return nil
				},
			}
			res, err := l.Login(ctx)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					return withHint(err, fmt.Sprintf("the browser did not come back within --wait %s", wait))
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

// openBrowser starts the platform's URL opener on u without waiting for it.
func openBrowser(ctx context.Context, u string) error {
	var c *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		c = exec.CommandContext(ctx, "open", u)
	case "windows":
		c = exec.CommandContext(ctx, "rundll32", "url.dll,FileProtocolHandler", u)
	default:
		c = exec.CommandContext(ctx, "xdg-open", u)
	}
	if err := c.Start(); err != nil {
		return err
	}
	go func() { _ = c.Wait() }()
	return nil
}

// crmWhoamiResult is "crm whoami"'s JSON output.
type crmWhoamiResult struct {
	Employee     crmEntity  `json:"employee"`
	Person       *crmPerson `json:"person,omitempty"`
	Organization *crmEntity `json:"organization,omitempty"`
}

// crmEntity is an id and a name.
type crmEntity struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// crmPerson is the person behind an employee.
type crmPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// newCRMWhoamiCmd builds "crm whoami".
func (e *env) newCRMWhoamiCmd() *cobra.Command {
	var (
		cf     crmFlags
		tf     tokenFlag
		grant  string
		output string
	)
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the Tribe CRM user a token acts as",
		Long: `Call GetCurrentEmployee and show the employee, person and organisation the
token acts as. The token is TRIBE_CRM_TOKEN or --token-file if given, else one
from --grant (see 'crm token'): the stored token (default) or client credentials.`,
		Example: `  tribe-token crm whoami
  tribe-token crm whoami --grant client-credentials -o json
  TRIBE_CRM_TOKEN=$(tribe-token crm token) tribe-token crm whoami`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outTable, outJSON); err != nil {
				return err
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			var (
				ts   oauth2.TokenSource
				path string
				err  error
			)
			switch {
			case tf.file != "" || e.getenv("TRIBE_CRM_TOKEN") != "":
				var tok string
				if tok, err = tf.token(e, "TRIBE_CRM_TOKEN"); err != nil {
					return err
				}
				ts = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"})
			case grant == grantStored:
				if ts, path, err = cf.storedSource(ctx, e); err != nil {
					return err
				}
			case grant == grantClientCredentials:
				var cfg *crm.Config
				if cfg, err = cf.config(e, true); err != nil {
					return err
				}
				if ts, err = cfg.ClientCredentialsTokenSource(ctx); err != nil {
					return err
				}
			default:
				return usagef("unknown --grant %q; use stored or client-credentials", grant)
			}
			_, _, api := cf.urls(e)
			c := &crm.Client{BaseURL: api, TokenSource: ts}
			emp, err := c.GetCurrentEmployee(ctx)
			if err != nil {
				return crmError(err, path)
			}
			res := crmWhoamiResult{Employee: crmEntity{ID: emp.ID, Name: emp.Name}}
			if p := emp.Person; p != nil {
				res.Person = &crmPerson{ID: p.ID, Name: p.Name, Email: p.EmailAddress}
			}
			if o := emp.Organization; o != nil {
				res.Organization = &crmEntity{ID: o.ID, Name: o.Name}
			}
			if output == outJSON {
				return writeJSON(e.stdout, res)
			}
			var t table
			t.add("employee", fmt.Sprintf("%s (id %s)", emp.Name, emp.ID))
			if p := res.Person; p != nil {
				t.add("person", fmt.Sprintf("%s (id %s)", p.Name, p.ID))
				t.add("email", p.Email)
			}
			if o := res.Organization; o != nil {
				t.add("organization", fmt.Sprintf("%s (id %s)", o.Name, o.ID))
			}
			return t.write(e.stdout)
		}),
	}
	cf.add(cmd)
	tf.add(cmd, "TRIBE_CRM_TOKEN")
	cmd.Flags().StringVar(&grant, "grant", grantStored, "where the token comes from without TRIBE_CRM_TOKEN: stored or client-credentials")
	addOutputFlag(cmd, &output, outTable, outJSON)
	return cmd
}
