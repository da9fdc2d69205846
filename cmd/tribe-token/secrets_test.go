package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/crm"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestNoSecretInOutput runs every command, succeeding and failing, with
// recognisable secrets and checks that none appears on stdout or stderr,
// except the token the command was asked for.
func TestNoSecretInOutput(t *testing.T) {
	const (
		clientSecret = "SENTINEL-client-secret-4f1a"
		password     = "SENTINEL-password-77c2"
		wrongSecret  = "SENTINEL-wrong-secret-9d0e"
		wrongPW      = "SENTINEL-wrong-password-1b3c"
	)
	fx := tribetest.DefaultFixtures()
	fx.Apps[0].ClientSecret = clientSecret
	for i := range fx.Networks[0].Members {
		fx.Networks[0].Members[i].Password = password
	}
	srv := cmdtest.NewMock(t, tribetest.WithFixtures(fx))
	crmSrv, crmEnv, crmFlags := cmdtest.NewCRM(t)
	rt, err := crmSrv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	require.NoError(t, err)

	env := map[string]string{
		"TRIBE_CLIENT_ID":     tribetest.DefaultClientID,
		"TRIBE_CLIENT_SECRET": clientSecret,
		"TRIBE_ENDPOINT":      srv.GraphQLURL(),
		"TRIBE_COMMUNITY_URL": srv.URL,
		"TRIBE_PASSWORD":      password,
		"TRIBE_NETWORK_ID":    tribetest.DefaultNetworkID,
	}
	secrets := []string{clientSecret, password, wrongSecret, wrongPW, crmtest.DefaultClientSecret, rt}
	minted := run(t, cmdtest.Invocation{Env: env, Args: args("mint")})
	cmdtest.RequireOK(t, minted)
	// A token handed to a command as input must not be echoed either.
	tok := strings.TrimSpace(minted.Stdout)

	runs := []cmdtest.Invocation{
		{Env: env, Args: args("mint", "-o", "json")},
		{Env: env, Args: args("mint", "-o", "env")},
		{Env: env, Args: args("mint", "--member", "mem-nobody")},
		{Env: env, Args: args("mint", "--network", tribetest.OtherNetworkID)},
		{Env: cmdtest.With(env, "TRIBE_CLIENT_SECRET", wrongSecret), Args: args("mint")},
		{Env: cmdtest.With(env, "TRIBE_CLIENT_SECRET", wrongSecret+"\n"), Args: args("mint")},
		{Stdin: wrongSecret, Env: cmdtest.With(env, "TRIBE_CLIENT_SECRET", ""), Args: args("mint", "--client-secret-file", "-")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok), Args: args("whoami")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok), Args: args("whoami", "-o", "json")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok), Args: args("decode")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok), Args: args("decode", "-o", "json")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok), Args: args("jwt", "check")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok+"x"), Args: args("whoami")},
		{Env: env, Args: args("password", "--username", "carol", "-o", "json")},
		{Env: cmdtest.With(env, "TRIBE_PASSWORD", wrongPW), Args: args("password", "--username", "carol")},
		{Env: cmdtest.With(env, "TRIBE_CLIENT_SECRET", wrongSecret), Args: args("password", "--username", "carol")},
		{Env: env, Args: args("exchange", "--email", "carol@example.com", "-o", "env")},
		{Env: cmdtest.With(env, "TRIBE_CLIENT_SECRET", wrongSecret), Args: args("exchange", "--email", "carol@example.com")},
		{Env: env, Args: args("mint", "--client-secret", clientSecret)},
		{Env: cmdtest.With(env, "TRIBE_REFRESH_TOKEN", wrongPW), Args: args("refresh", "-o", "json", "--with-refresh-token")},
		{Env: env, Args: args("refresh", "--refresh-token", wrongPW)},
		{Env: env, Args: args("demo")},
		{Env: crmEnv, Args: append(args("crm", "token", "--grant", "client-credentials", "-o", "json"), crmFlags...)},
		{Env: cmdtest.With(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", rt), Args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL, "-o", "json"), crmFlags...)},
		{Env: cmdtest.With(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", rt), Args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL), crmFlags...)},
		{Env: crmEnv, Args: append(args("crm", "whoami"), crmFlags...)},
		{Env: cmdtest.With(crmEnv, "TRIBE_CRM_CLIENT_SECRET", wrongSecret), Args: append(args("crm", "token", "--grant", "client-credentials"), crmFlags...)},
		{Env: env, Args: args("api", "{ authMember { id } }")},
		{Env: env, Args: args("api", "--member", "mem-carol", "--verbose", "{ authMember { id } }")},
		{Env: env, Args: args("api", `{ member(id: "mem-nobody") { id } }`)},
		{Env: cmdtest.With(env, "TRIBE_CLIENT_SECRET", wrongSecret), Args: args("api", "{ network { id } }")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok), Args: args("api", "{ network { id } }")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok+"x"), Args: args("api", "{ network { id } }")},
		{Env: env, Args: args("schema", "pull")},
		{Env: cmdtest.With(env, "TRIBE_CLIENT_SECRET", wrongSecret), Args: args("schema", "pull")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok), Args: args("schema", "pull")},
		{Env: cmdtest.With(env, "TRIBE_TOKEN", tok+"x"), Args: args("schema", "pull")},
	}
	for _, inv := range runs {
		t.Run(strings.Join(inv.Args, " "), func(t *testing.T) {
			r := run(t, inv)
			check := secrets
			if inv.Env["TRIBE_TOKEN"] != "" {
				check = append(check[:len(check):len(check)], tok)
			}
			for _, s := range check {
				for _, form := range testenv.SecretForms(s) {
					assert.NotContains(t, r.Stdout, form, "stdout")
					assert.NotContains(t, r.Stderr, form, "stderr")
				}
			}
		})
	}
}

// echoServer is a cmdtest.Hostile server that answers every request with an error
// whose message holds each of secrets in each of its forms: an OAuth error
// at token endpoints, an OData error at the CRM API, a GraphQL error
// elsewhere.
func echoServer(t *testing.T, secrets ...string) *httptest.Server {
	t.Helper()
	var forms []string
	for _, s := range secrets {
		forms = append(forms, testenv.SecretForms(s)...)
	}
	msg := "echo " + strings.Join(forms, " ")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		var body any
		switch {
		case strings.HasSuffix(r.URL.Path, "/token"):
			w.WriteHeader(http.StatusBadRequest)
			body = map[string]any{"error": "invalid_grant", "error_description": msg}
		case strings.HasPrefix(r.URL.Path, "/v1/odata/"):
			w.WriteHeader(http.StatusBadRequest)
			body = map[string]any{"error": map[string]any{"code": "BadRequest", "message": msg}}
		default:
			body = map[string]any{"data": nil, "errors": []any{map[string]any{"message": msg}}}
		}
		if err := json.NewEncoder(w).Encode(body); err != nil {
			t.Errorf("echo server: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHostileServerCannotEchoSecrets has a server echo, in its error
// messages, the secrets it was sent or could know (client secrets, a
// password, access tokens, the refresh token read from a CRM token file),
// literally, URL-encoded and in base64: none reaches stdout or stderr.
func TestHostileServerCannotEchoSecrets(t *testing.T) {
	const (
		clientSecret = "S3ntinel/client+secret&4f1a"
		password     = "S3ntinel pass=word/77c2"
		accessToken  = "S3ntinel.access+token/9d0e"
		crmSecret    = "S3ntinel/crm+secret&1b3c"
		storedAccess = "S3ntinel/stored+access&5e6f"
		storedRT     = "S3ntinel/stored+refresh&8a9b"
	)
	store := func(t *testing.T, expiry time.Time) string {
		path := filepath.Join(t.TempDir(), "crm-token.json")
		tok := &oauth2.Token{AccessToken: storedAccess, RefreshToken: storedRT, TokenType: "Bearer", Expiry: expiry}
		require.NoError(t, crm.FileStore{Path: path}.Save(context.Background(), tok))
		require.NoError(t, shared.SaveMeta(path, shared.Meta{RedirectURL: "http://127.0.0.1/callback"}))
		return path
	}
	tribeEnv := func(srv *httptest.Server) map[string]string {
		return map[string]string{
			"TRIBE_CLIENT_ID":     "app-id",
			"TRIBE_CLIENT_SECRET": clientSecret,
			"TRIBE_PASSWORD":      password,
			"TRIBE_TOKEN":         accessToken,
			"TRIBE_NETWORK_ID":    "net-1",
			"TRIBE_ENDPOINT":      srv.URL + "/graphql",
			"TRIBE_COMMUNITY_URL": srv.URL,
		}
	}
	crmEnv := map[string]string{"TRIBE_CRM_CLIENT_ID": "crm-id", "TRIBE_CRM_CLIENT_SECRET": crmSecret}
	stored := []string{storedAccess, storedRT}
	crmAll := []string{crmSecret, storedAccess, storedRT}
	tests := []struct {
		name string
		env  func(srv *httptest.Server) map[string]string
		args func(t *testing.T, srv *httptest.Server) []string
		// secrets the run reads, which the server echoes
		secrets []string
	}{
		{"mint", tribeEnv, func(*testing.T, *httptest.Server) []string { return args("mint", "--timeout", "2s") }, []string{clientSecret}},
		{"whoami", tribeEnv, func(*testing.T, *httptest.Server) []string { return args("whoami", "--timeout", "2s") }, []string{accessToken}},
		{"password", tribeEnv, func(*testing.T, *httptest.Server) []string {
			return args("password", "--username", "carol", "--timeout", "2s")
		}, []string{clientSecret, password}},
		{"api with a token", tribeEnv, func(*testing.T, *httptest.Server) []string {
			return args("api", "--timeout", "2s", "{ network { id } }")
		}, []string{accessToken}},
		{"api minting", tribeEnv, func(*testing.T, *httptest.Server) []string {
			return args("api", "--network", "net-1", "--member", "m-1", "--timeout", "2s", "{ network { id } }")
		}, []string{clientSecret}},
		{"schema pull with a token", tribeEnv, func(*testing.T, *httptest.Server) []string { return args("schema", "pull", "--timeout", "2s") }, []string{accessToken}},
		{"schema pull minting", tribeEnv, func(*testing.T, *httptest.Server) []string {
			return args("schema", "pull", "--network", "net-1", "--timeout", "2s")
		}, []string{clientSecret}},
		{"crm whoami with the stored token", func(*httptest.Server) map[string]string { return nil }, func(t *testing.T, srv *httptest.Server) []string {
			return args("crm", "whoami", "--base-url", srv.URL, "--store", store(t, time.Now().Add(time.Hour)))
		}, stored},
		{"crm token refreshing the stored token", func(*httptest.Server) map[string]string { return crmEnv }, func(t *testing.T, srv *httptest.Server) []string {
			return args("crm", "token", "--base-url", srv.URL, "--store", store(t, time.Now().Add(-time.Hour)))
		}, crmAll},
		{"crm whoami refreshing the stored token", func(*httptest.Server) map[string]string { return crmEnv }, func(t *testing.T, srv *httptest.Server) []string {
			return args("crm", "whoami", "--base-url", srv.URL, "--store", store(t, time.Now().Add(-time.Hour)))
		}, crmAll},
		{"crm token client credentials", func(*httptest.Server) map[string]string { return crmEnv }, func(t *testing.T, srv *httptest.Server) []string {
			return args("crm", "token", "--grant", "client-credentials", "--base-url", srv.URL)
		}, []string{crmSecret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := echoServer(t, tt.secrets...)
			r := run(t, cmdtest.Invocation{Env: tt.env(srv), Args: tt.args(t, srv)})
			require.Equal(t, cmdutil.ExitFailure, r.Code, "stderr: %s", r.Stderr)
			require.Contains(t, r.Stderr, "echo", "the server's message is shown")
			for _, s := range tt.secrets {
				for _, form := range testenv.SecretForms(s) {
					assert.NotContains(t, r.Stdout, form, "stdout")
					assert.NotContains(t, r.Stderr, form, "stderr")
				}
			}
		})
	}
}

// TestErrorLineRedactsEveryForm checks the error line itself, whatever the
// libraries beneath redact: each secret of the run, in each form, and
// anything shaped like a credential, is replaced by the one marker.
func TestErrorLineRedactsEveryForm(t *testing.T) {
	secrets := []string{"S3ntinel/client+secret&4f1a", "S3ntinel pass=word/77c2", "stored-refresh-token-0123"}
	f := &cmdutil.Factory{}
	f.AddSecret(secrets...)
	var text []string
	for _, s := range secrets {
		text = append(text, testenv.SecretForms(s)...)
	}
	jwt := cmdtest.UnsignedJWT(`{"sub":"u"}`)
	text = append(text, jwt, "Authorization: Bearer abc.def-ghi")
	line := f.ErrorLine(nil, errors.New("tribe: refused: "+strings.Join(text, " ; ")), cmdutil.ExitFailure)
	assert.True(t, strings.HasPrefix(line, "tribe-token: tribe: refused: "), line)
	assert.Contains(t, line, redact.Marker)
	for _, s := range secrets {
		for _, form := range testenv.SecretForms(s) {
			assert.NotContains(t, line, form)
		}
	}
	assert.NotContains(t, line, jwt)
	assert.NotContains(t, line, "abc.def-ghi")
}
