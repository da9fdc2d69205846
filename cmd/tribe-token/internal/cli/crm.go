package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

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
	insecure                  bool
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
	addInsecureFlag(cmd, &f.insecure)
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
	a, t, p := f.endpoints(e)
	return a.url, t.url, p.url
}

// endpoints returns the consent, token and API URLs, each with the flag or
// environment variable it comes from; an empty URL is the CRM's own.
func (f *crmFlags) endpoints(e *env) (auth, token, api urlFrom) {
	auth = urlFrom{"--auth-url", f.authURL}
	token = urlFrom{"--token-url", f.tokenURL}
	api = urlFrom{"--api-url", f.apiURL}
	base := urlFrom{"--base-url", f.baseURL}
	if base.url == "" {
		base = urlFrom{"TRIBE_CRM_BASE_URL", e.getenv("TRIBE_CRM_BASE_URL")}
	}
	if b := strings.TrimRight(base.url, "/"); b != "" {
		if auth.url == "" {
			auth = urlFrom{base.source, b + "/oauth2/auth"}
		}
		if token.url == "" {
			token = urlFrom{base.source, b + "/oauth2/token"}
		}
		if api.url == "" {
			api = urlFrom{base.source, b}
		}
	}
	return auth, token, api
}

// CRM endpoints a command sends something to, for [crmFlags.checkURLs].
const (
	useAuth = 1 << iota
	useToken
	useAPI
)

// checkURLs refuses, before anything is sent and unless --insecure-http, a
// plain http URL to a host that is not loopback among the endpoints use
// names.
func (f *crmFlags) checkURLs(e *env, use int) error {
	auth, token, api := f.endpoints(e)
	var urls []urlFrom
	for _, u := range []struct {
		bit  int
		from urlFrom
	}{{useAuth, auth}, {useToken, token}, {useAPI, api}} {
		if use&u.bit != 0 {
			urls = append(urls, u.from)
		}
	}
	return e.checkURLs(f.insecure, urls...)
}

// client returns an API client for ts at the API URL.
func (f *crmFlags) client(e *env, ts oauth2.TokenSource) *crm.Client {
	_, _, api := f.urls(e)
	return &crm.Client{BaseURL: api, TokenSource: ts, HTTPClient: e.httpClient(), AllowInsecureHTTP: f.insecure}
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
		HTTPClient:  e.httpClient(),
		// checkURLs has refused plain http to a host that is not loopback
		// unless --insecure-http.
		AllowInsecureHTTP: f.insecure,
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
// A record that is too large or not JSON is a [usageError].
func loadMeta(store string) (crmMeta, error) {
	var m crmMeta
	path := metaPath(store)
	b, err := readBounded(path, maxRecordFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return m, nil
	case err != nil:
		return m, usagef("reading the redirect URL recorded beside the token file: %w; pass --redirect-url, or log in again with 'tribe-token crm login'", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, usagef("the record %s beside the token file is not JSON (%w); pass --redirect-url, or log in again with 'tribe-token crm login'", path, err)
	}
	return m, nil
}

// storedSource returns a token source over the token file: the stored token
// while it is valid; else one that refreshes it, saving each new one, which
// needs the application's credentials and the redirect URL.
func (f *crmFlags) storedSource(ctx context.Context, e *env) (oauth2.TokenSource, string, error) {
	path, err := f.storePath()
	if err != nil {
		return nil, "", err
	}
	store := crm.FileStore{Path: path}
	tok, err := store.Load(ctx)
	if err != nil {
		return nil, path, crmStoreError(err, path)
	}
	// The stored tokens are secrets: no error line may show them.
	e.addSecret(tok.AccessToken, tok.RefreshToken)
	if tok.Valid() {
		// Used as it is: neither the credentials nor the redirect URL
		// are needed until it expires.
		return oauth2.StaticTokenSource(tok), path, nil
	}
	if tok.RefreshToken == "" {
		return nil, path, usagef("the token in %s has expired and holds no refresh token to renew it; log in again with 'tribe-token crm login'", path)
	}
	cfg, err := f.config(e, true)
	if err != nil {
		return nil, path, withHint(err, "the stored token has expired and refreshing it needs the application's credentials")
	}
	if cfg.RedirectURL == "" {
		m, err := loadMeta(path)
		if err != nil {
			return nil, path, err
		}
		cfg.RedirectURL = m.RedirectURL
	}
	if cfg.RedirectURL == "" {
		return nil, path, usagef("the token in %s has expired, and refreshing it needs the redirect URL it was issued for: pass --redirect-url (the application's registered one), or log in again with 'tribe-token crm login'", path)
	}
	// The refresh spends the stored refresh token: make sure the new one
	// can be saved before sending it.
	if err := checkWritable(path); err != nil {
		return nil, path, usagef("cannot save a refreshed token to %s (%w); nothing was sent, and the stored refresh token still works", path, err)
	}
	ts, err := cfg.TokenSource(ctx, store)
	return ts, path, err
}

// crmStoreError explains a token file that could not be used: missing,
// unreadable or not a token, all [usageError]s.
func crmStoreError(err error, path string) error {
	switch {
	case errors.Is(err, crm.ErrNoToken):
		return &usageError{&explained{
			msg: fmt.Sprintf("no token at %s; run 'tribe-token crm login' (or 'tribe-token crm token --grant refresh-token' with a refresh token copied from the CRM)", path),
			err: err,
		}}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, crm.ErrInvalidInput):
		return err
	}
	return usagef("%w; replace it with 'tribe-token crm login'", err)
}

// crmError adds what to do to a failed CRM call.
func crmError(err error, path string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, crm.ErrNoToken):
		return crmStoreError(err, path)
	case errors.Is(err, crm.ErrNoRefreshToken):
		return withHint(err, "log in again with 'tribe-token crm login'")
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
