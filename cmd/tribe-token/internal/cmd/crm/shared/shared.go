// Package shared holds what the Tribe CRM commands (crm token, crm login,
// crm whoami) share: the application's flags and endpoints, the token file
// and the record of its redirect URL beside it, and the advice added to a
// failed CRM call.
package shared

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

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/safefile"
	"github.com/tribekit/tribekit/tribe/crm"
)

// maxRecordFile bounds what is read from the record beside the token file.
const maxRecordFile = 1 << 20

// Tribe CRM grants "crm token" and "crm whoami" can use.
const (
	GrantStored            = "stored"
	GrantClientCredentials = "client-credentials"
	GrantRefreshToken      = "refresh-token"
)

// Flags are the settings of a Tribe CRM application and where its token
// is kept.
type Flags struct {
	ClientID    string
	SecretFile  string
	BaseURL     string
	AuthURL     string
	TokenURL    string
	APIURL      string
	RedirectURL string
	Scopes      []string
	Store       string
	Insecure    bool
	NoRetry     bool
}

// Add registers the flags on cmd.
func (f *Flags) Add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.ClientID, "client-id", "", "CRM application's client id (default $TRIBE_CRM_CLIENT_ID)")
	fl.StringVar(&f.SecretFile, "client-secret-file", "", "read the CRM application's secret from `FILE` (- for stdin; default $TRIBE_CRM_CLIENT_SECRET)")
	fl.StringVar(&f.BaseURL, "base-url", "", "take OAuth (URL/oauth2/…) and the API from one base `URL`, as a mock CRM serves them (default $TRIBE_CRM_BASE_URL)")
	fl.StringVar(&f.AuthURL, "auth-url", "", "consent endpoint (default "+crm.DefaultAuthURL+")")
	fl.StringVar(&f.TokenURL, "token-url", "", "token endpoint (default "+crm.DefaultTokenURL+")")
	fl.StringVar(&f.APIURL, "api-url", "", "API base URL (default "+crm.DefaultAPIBaseURL+")")
	fl.StringVar(&f.RedirectURL, "redirect-url", "", "the application's registered redirect URL, sent when refreshing (default: the one 'crm login' used)")
	fl.StringSliceVar(&f.Scopes, "scope", []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}, "scopes to ask for")
	fl.StringVar(&f.Store, "store", "", "token file (default "+filepath.Join("$CONFIG", "tribe-token", "crm-token.json")+", $CONFIG being your user config directory)")
	cmdutil.AddInsecureFlag(cmd, &f.Insecure)
	cmdutil.AddNoRetryFlag(cmd, &f.NoRetry)
}

// StorePath returns the token file's path.
func (f *Flags) StorePath() (string, error) {
	if f.Store != "" {
		return f.Store, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", cmdutil.Usagef("no --store given and no user config directory: %w", err)
	}
	return filepath.Join(dir, "tribe-token", "crm-token.json"), nil
}

// urls returns the consent, token and API URLs.
func (f *Flags) urls(e *cmdutil.Factory) (auth, token, api string) {
	a, t, p := f.endpoints(e)
	return a.URL, t.URL, p.URL
}

// endpoints returns the consent, token and API URLs, each with the flag or
// environment variable it comes from; an empty URL is the CRM's own.
func (f *Flags) endpoints(e *cmdutil.Factory) (auth, token, api cmdutil.URLFrom) {
	auth = cmdutil.URLFrom{Source: "--auth-url", URL: f.AuthURL, Example: crm.DefaultAuthURL}
	token = cmdutil.URLFrom{Source: "--token-url", URL: f.TokenURL, Example: crm.DefaultTokenURL}
	api = cmdutil.URLFrom{Source: "--api-url", URL: f.APIURL, Example: crm.DefaultAPIBaseURL}
	base := cmdutil.URLFrom{Source: "--base-url", URL: f.BaseURL}
	if base.URL == "" {
		base = cmdutil.URLFrom{Source: "TRIBE_CRM_BASE_URL", URL: e.Env("TRIBE_CRM_BASE_URL")}
	}
	if b := strings.TrimRight(base.URL, "/"); b != "" {
		if auth.URL == "" {
			auth = cmdutil.URLFrom{Source: base.Source, URL: b + "/oauth2/auth", Example: "http://127.0.0.1:8080"}
		}
		if token.URL == "" {
			token = cmdutil.URLFrom{Source: base.Source, URL: b + "/oauth2/token", Example: "http://127.0.0.1:8080"}
		}
		if api.URL == "" {
			api = cmdutil.URLFrom{Source: base.Source, URL: b, Example: "http://127.0.0.1:8080"}
		}
	}
	return auth, token, api
}

// CRM endpoints a command sends something to, for [Flags.CheckURLs].
const (
	UseAuth = 1 << iota
	UseToken
	UseAPI
)

// CheckURLs refuses, before anything is sent and unless --insecure-http, a
// plain http URL to a host that is not loopback among the endpoints use
// names.
func (f *Flags) CheckURLs(e *cmdutil.Factory, use int) error {
	auth, token, api := f.endpoints(e)
	var urls []cmdutil.URLFrom
	for _, u := range []struct {
		bit  int
		from cmdutil.URLFrom
	}{{UseAuth, auth}, {UseToken, token}, {UseAPI, api}} {
		if use&u.bit != 0 {
			urls = append(urls, u.from)
		}
	}
	return e.CheckURLs(f.Insecure, urls...)
}

// Client returns an API client for ts at the API URL. A rate limit or a
// passing failure of the API is waited out, with a line on stderr
// ([cmdutil.Factory.RetryingHTTPClient]); its calls only read.
func (f *Flags) Client(e *cmdutil.Factory, ts oauth2.TokenSource) *crm.Client {
	_, _, api := f.urls(e)
	return &crm.Client{BaseURL: api, TokenSource: ts, HTTPClient: e.RetryingHTTPClient(false, f.NoRetry), AllowInsecureHTTP: f.Insecure}
}

// Config returns the application's settings, with the client secret if
// needSecret. A token request the CRM rate-limits (HTTP 429) or cannot
// serve for a moment (503) is sent again after a wait, with a line on
// stderr ([cmdutil.Factory.RetryingHTTPClient]); other failures are not,
// as a code or a refresh token must not be spent twice.
func (f *Flags) Config(e *cmdutil.Factory, needSecret bool) (*crm.Config, error) {
	id := f.ClientID
	if id == "" {
		id = e.Env("TRIBE_CRM_CLIENT_ID")
	}
	if id == "" {
		return nil, cmdutil.Usagef("no CRM client id: set TRIBE_CRM_CLIENT_ID, or pass --client-id")
	}
	auth, token, _ := f.urls(e)
	cfg := &crm.Config{
		ClientID:    id,
		Endpoint:    oauth2.Endpoint{AuthURL: auth, TokenURL: token},
		RedirectURL: f.RedirectURL,
		Scopes:      f.Scopes,
		HTTPClient:  e.RetryingHTTPClient(true, f.NoRetry),
		// CheckURLs has refused plain http to a host that is not loopback
		// unless --insecure-http.
		AllowInsecureHTTP: f.Insecure,
	}
	if needSecret {
		secret, err := e.Secret(cmdutil.SecretSpec{What: "CRM client secret", EnvVar: "TRIBE_CRM_CLIENT_SECRET", FileArg: "client-secret-file", File: f.SecretFile})
		if err != nil {
			return nil, err
		}
		cfg.ClientSecret = secret
	}
	return cfg, nil
}

// Meta is what "crm login" records beside the token file: the redirect
// URL each refresh must send again. It holds no secret.
type Meta struct {
	RedirectURL string   `json:"redirect_url"`
	Scopes      []string `json:"scopes,omitempty"`
}

// MetaPath is the path of the record beside the token file.
func MetaPath(store string) string { return store + ".meta.json" }

// SaveMeta records m beside the token file.
func SaveMeta(store string, m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := safefile.WriteFile(MetaPath(store), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("recording the redirect URL beside the token: %w", err)
	}
	return nil
}

// loadMeta reads the record beside the token file; a missing one is empty.
// A record that is too large or not JSON is a [cmdutil.UsageError].
func loadMeta(store string) (Meta, error) {
	var m Meta
	path := MetaPath(store)
	b, err := safefile.ReadBounded(path, maxRecordFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return m, nil
	case err != nil:
		return m, cmdutil.Usagef("reading the redirect URL recorded beside the token file: %w; pass --redirect-url, or log in again with 'tribe-token crm login'", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, cmdutil.Usagef("the record %s beside the token file is not JSON (%w); pass --redirect-url, or log in again with 'tribe-token crm login'", path, err)
	}
	return m, nil
}

// StoredSource returns a token source over the token file: the stored token
// while it is valid; else one that refreshes it, saving each new one, which
// needs the application's credentials and the redirect URL.
func (f *Flags) StoredSource(ctx context.Context, e *cmdutil.Factory) (oauth2.TokenSource, string, error) {
	path, err := f.StorePath()
	if err != nil {
		return nil, "", err
	}
	store := crm.FileStore{Path: path}
	tok, err := store.Load(ctx)
	if err != nil {
		return nil, path, storeError(err, path)
	}
	// The stored tokens are secrets: no error line may show them.
	e.AddSecret(tok.AccessToken, tok.RefreshToken)
	if tok.Valid() {
		// Used as it is: neither the credentials nor the redirect URL
		// are needed until it expires.
		return oauth2.StaticTokenSource(tok), path, nil
	}
	if tok.RefreshToken == "" {
		return nil, path, cmdutil.Usagef("the token in %s has expired and holds no refresh token to renew it; log in again with 'tribe-token crm login'", path)
	}
	cfg, err := f.Config(e, true)
	if err != nil {
		return nil, path, cmdutil.WithHint(err, "the stored token has expired and refreshing it needs the application's credentials")
	}
	if cfg.RedirectURL == "" {
		m, err := loadMeta(path)
		if err != nil {
			return nil, path, err
		}
		cfg.RedirectURL = m.RedirectURL
	}
	if cfg.RedirectURL == "" {
		return nil, path, cmdutil.Usagef("the token in %s has expired, and refreshing it needs the redirect URL it was issued for: pass --redirect-url (the application's registered one), or log in again with 'tribe-token crm login'", path)
	}
	// The refresh spends the stored refresh token: make sure the new one
	// can be saved before sending it.
	if err := safefile.CheckWritable(path); err != nil {
		return nil, path, cmdutil.Usagef("cannot save a refreshed token to %s (%w); nothing was sent, and the stored refresh token still works", path, err)
	}
	ts, err := cfg.TokenSource(ctx, store)
	return ts, path, err
}

// storeError explains a token file that could not be used: missing,
// unreadable or not a token, each a [cmdutil.UsageError].
func storeError(err error, path string) error {
	switch {
	case errors.Is(err, crm.ErrNoToken):
		return &cmdutil.UsageError{Err: &cmdutil.Explained{
			Msg: fmt.Sprintf("no token at %s; run 'tribe-token crm login' (or 'tribe-token crm token --grant refresh-token' with a refresh token copied from the CRM)", path),
			Err: err,
		}}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, crm.ErrInvalidInput):
		return err
	}
	return cmdutil.Usagef("%w; replace it with 'tribe-token crm login'", err)
}

// Error adds what to do to a failed CRM call.
func Error(err error, path string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, crm.ErrNoToken):
		return storeError(err, path)
	case errors.Is(err, crm.ErrNoRefreshToken):
		return cmdutil.WithHint(err, "log in again with 'tribe-token crm login'")
	case errors.Is(err, crm.ErrInvalidGrant):
		return cmdutil.WithHint(err, "the refresh token is expired, revoked or already used; log in again with 'tribe-token crm login'")
	case errors.Is(err, crm.ErrUnauthorized):
		return cmdutil.WithHint(err, "the access token was refused; get a new one with 'tribe-token crm token'")
	}
	return err
}

// Validate checks what the flags alone say, naming the flags: the scopes,
// one word each.
func (f *Flags) Validate() error {
	if len(f.Scopes) == 0 {
		return cmdutil.Usagef("--scope is empty, and the CRM requires a scope; give e.g. --scope %s,%s,%s", crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline)
	}
	for _, s := range f.Scopes {
		if s == "" || strings.ContainsAny(s, " \t") || cmdutil.HasControl(s) {
			return cmdutil.Usagef("--scope %q is not one word; give the scopes separated by commas, e.g. --scope %s,%s", text.Clip(s), crm.ScopeRead, crm.ScopeOffline)
		}
	}
	return nil
}

// CheckStoreWritable checks that the token file and the record beside it
// can be written, before a grant that spends something is sent.
func CheckStoreWritable(path string) error {
	if err := safefile.CheckWritable(path); err != nil {
		return err
	}
	return safefile.CheckWritable(MetaPath(path))
}
