package root

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
	srv := newMock(t, tribetest.WithFixtures(fx))
	crmSrv, crmEnv, crmFlags := newCRM(t)
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
	minted := run(t, invocation{env: env, args: args("mint")})
	requireOK(t, minted)
	// A token handed to a command as input must not be echoed either.
	tok := strings.TrimSpace(minted.stdout)

	runs := []invocation{
		{env: env, args: args("mint", "-o", "json")},
		{env: env, args: args("mint", "-o", "env")},
		{env: env, args: args("mint", "--member", "mem-nobody")},
		{env: env, args: args("mint", "--network", tribetest.OtherNetworkID)},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret), args: args("mint")},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret+"\n"), args: args("mint")},
		{stdin: wrongSecret, env: with(env, "TRIBE_CLIENT_SECRET", ""), args: args("mint", "--client-secret-file", "-")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("whoami")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("whoami", "-o", "json")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("decode")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("decode", "-o", "json")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("jwt", "check")},
		{env: with(env, "TRIBE_TOKEN", tok+"x"), args: args("whoami")},
		{env: env, args: args("password", "--username", "carol", "-o", "json")},
		{env: with(env, "TRIBE_PASSWORD", wrongPW), args: args("password", "--username", "carol")},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret), args: args("password", "--username", "carol")},
		{env: env, args: args("exchange", "--email", "carol@example.com", "-o", "env")},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret), args: args("exchange", "--email", "carol@example.com")},
		{env: env, args: args("mint", "--client-secret", clientSecret)},
		{env: with(env, "TRIBE_REFRESH_TOKEN", wrongPW), args: args("refresh", "-o", "json", "--with-refresh-token")},
		{env: env, args: args("refresh", "--refresh-token", wrongPW)},
		{env: env, args: args("demo")},
		{env: crmEnv, args: append(args("crm", "token", "--grant", "client-credentials", "-o", "json"), crmFlags...)},
		{env: with(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", rt), args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL, "-o", "json"), crmFlags...)},
		{env: with(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", rt), args: append(args("crm", "token", "--grant", "refresh-token", "--redirect-url", crmtest.DefaultRedirectURL), crmFlags...)},
		{env: crmEnv, args: append(args("crm", "whoami"), crmFlags...)},
		{env: with(crmEnv, "TRIBE_CRM_CLIENT_SECRET", wrongSecret), args: append(args("crm", "token", "--grant", "client-credentials"), crmFlags...)},
		{env: env, args: args("api", "{ authMember { id } }")},
		{env: env, args: args("api", "--member", "mem-carol", "--verbose", "{ authMember { id } }")},
		{env: env, args: args("api", `{ member(id: "mem-nobody") { id } }`)},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret), args: args("api", "{ network { id } }")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("api", "{ network { id } }")},
		{env: with(env, "TRIBE_TOKEN", tok+"x"), args: args("api", "{ network { id } }")},
		{env: env, args: args("schema", "pull")},
		{env: with(env, "TRIBE_CLIENT_SECRET", wrongSecret), args: args("schema", "pull")},
		{env: with(env, "TRIBE_TOKEN", tok), args: args("schema", "pull")},
		{env: with(env, "TRIBE_TOKEN", tok+"x"), args: args("schema", "pull")},
	}
	for _, inv := range runs {
		t.Run(strings.Join(inv.args, " "), func(t *testing.T) {
			r := run(t, inv)
			check := secrets
			if inv.env["TRIBE_TOKEN"] != "" {
				check = append(check[:len(check):len(check)], tok)
			}
			for _, s := range check {
				for _, form := range testenv.SecretForms(s) {
					assert.NotContains(t, r.stdout, form, "stdout")
					assert.NotContains(t, r.stderr, form, "stderr")
				}
			}
		})
	}
}

// echoServer is a hostile server that answers every request with an error
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
		require.NoError(t, saveMeta(path, crmMeta{RedirectURL: "http://127.0.0.1/callback"}))
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
			r := run(t, invocation{env: tt.env(srv), args: tt.args(t, srv)})
			require.Equal(t, ExitFailure, r.code, "stderr: %s", r.stderr)
			require.Contains(t, r.stderr, "echo", "the server's message is shown")
			for _, s := range tt.secrets {
				for _, form := range testenv.SecretForms(s) {
					assert.NotContains(t, r.stdout, form, "stdout")
					assert.NotContains(t, r.stderr, form, "stderr")
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
	jwt := unsignedJWT(`{"sub":"u"}`)
	text = append(text, jwt, "Authorization: Bearer abc.def-ghi")
	line := f.ErrorLine(nil, errors.New("tribe: refused: "+strings.Join(text, " ; ")), ExitFailure)
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
