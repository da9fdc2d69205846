package main

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// libraryField matches a library setting named in a message: the CLI's
// errors name flags and environment variables instead.
var libraryField = regexp.MustCompile(`\b(App|Config|Signer|User|JWTUser|LoopbackLogin|Options|ClientConfig|Identity|Client|FileStore)\.[A-Z]\w*|AllowInsecureHTTP`)

// TestErrorsNameFlagsNotFields runs bad input through every command: the
// error line names the flag or environment variable to fix (exit code 2)
// and never a library field.
func TestErrorsNameFlagsNotFields(t *testing.T) {
	creds := map[string]string{"TRIBE_CLIENT_ID": "id", "TRIBE_CLIENT_SECRET": "client-secret-value", "TRIBE_ENDPOINT": "http://127.0.0.1:1/graphql"}
	grants := cmdtest.With(creds, "TRIBE_COMMUNITY_URL", "http://127.0.0.1:1", "TRIBE_PASSWORD", "pw-value")
	crmEnv := map[string]string{"TRIBE_CRM_CLIENT_ID": "c", "TRIBE_CRM_CLIENT_SECRET": "crm-secret-value"}
	store := filepath.Join(t.TempDir(), "s.json")
	user := []string{"--sub", "s", "--name", "n", "--email", "a@example.com"}
	tests := []struct {
		name string
		env  map[string]string
		in   string
		args []string
		want string
	}{
		{"mint userinfo", creds, "", args("mint", "--network", "n", "--endpoint", "https://other:other-secret-value@127.0.0.1:1/graphql"), "TRIBE_CLIENT_ID"},
		{"mint network spaces", creds, "", args("mint", "--network", "n 1"), "--network"},
		{"mint network from env", cmdtest.With(creds, "TRIBE_NETWORK_ID", "n\t1"), "", args("mint"), "TRIBE_NETWORK_ID"},
		{"mint context no entity", creds, "", args("mint", "--network", "n", "--context", "SPACE"), "--entity"},
		{"mint unknown context", creds, "", args("mint", "--network", "n", "--context", "GALAXY"), "--context"},
		{"mint secret newline", cmdtest.With(creds, "TRIBE_CLIENT_SECRET", "client-secret-value\n"), "", args("mint", "--network", "n"), "TRIBE_CLIENT_SECRET"},
		{"mint client id colon", cmdtest.With(creds, "TRIBE_CLIENT_ID", "id:x"), "", args("mint", "--network", "n"), "TRIBE_CLIENT_ID"},
		{"mint endpoint scheme", creds, "", args("mint", "--network", "n", "--endpoint", "ftp://x"), "--endpoint"},
		{"whoami endpoint", map[string]string{"TRIBE_TOKEN": "tok"}, "", args("whoami", "--endpoint", "ftp://x"), "--endpoint"},
		{"whoami gateway", map[string]string{"TRIBE_TOKEN": "tok", "TRIBE_GATEWAY_URL": "https://"}, "", args("whoami"), "TRIBE_GATEWAY_URL"},
		{"decode no token", nil, "", args("decode"), "TRIBE_TOKEN"},
		{"password community", grants, "", args("password", "--username", "u", "--community", "ftp://x"), "--community"},
		{"password community userinfo", grants, "", args("password", "--username", "u", "--community", "https://u:p@127.0.0.1:1"), "--community"},
		{"password community query", grants, "", args("password", "--username", "u", "--community", "https://127.0.0.1:1/?a=b"), "--community"},
		{"password community env", cmdtest.With(grants, "TRIBE_COMMUNITY_URL", "ftp://x"), "", args("password", "--username", "u"), "TRIBE_COMMUNITY_URL"},
		{"password username", grants, "", args("password", "--username", " u"), "--username"},
		{"exchange email", grants, "", args("exchange", "--email", "nobody"), "--email"},
		{"exchange user id", grants, "", args("exchange", "--user-id", " u"), "--user-id"},
		{"exchange token url", grants, "", args("exchange", "--email", "a@example.com", "--token-url", "ftp://x"), "--token-url"},
		{"refresh token spaces", cmdtest.With(grants, "TRIBE_REFRESH_TOKEN", "a b"), "", args("refresh", "-o", "json", "--with-refresh-token"), "TRIBE_REFRESH_TOKEN"},
		{"jwt sign short", nil, "short-secret", append(args("jwt", "sign", "--hs256-secret-file", "-"), user...), "--hs256-secret-file"},
		{"jwt sign ttl", nil, cmdtest.HS256Secret, append(args("jwt", "sign", "--hs256-secret-file", "-", "--ttl", "1s"), user...), "--ttl"},
		{"jwt sign email", nil, cmdtest.HS256Secret, args("jwt", "sign", "--hs256-secret-file", "-", "--sub", "s", "--name", "n", "--email", "nope"), "--email"},
		{"jwt sign empty name", nil, cmdtest.HS256Secret, args("jwt", "sign", "--hs256-secret-file", "-", "--sub", "s", "--name", "", "--email", "a@example.com"), "--name"},
		{"jwt sign not a key", nil, "not a pem", append(args("jwt", "sign", "--private-key-file", "-"), user...), "--private-key-file"},
		{"jwt check no token", nil, "", args("jwt", "check"), "TRIBE_TOKEN"},
		{"crm token token-url", crmEnv, "", args("crm", "token", "--grant", "client-credentials", "--token-url", "ftp://x"), "--token-url"},
		{"crm token base-url env", cmdtest.With(crmEnv, "TRIBE_CRM_BASE_URL", "ftp://x"), "", args("crm", "token", "--grant", "client-credentials"), "TRIBE_CRM_BASE_URL"},
		{"crm token scope", crmEnv, "", args("crm", "token", "--grant", "client-credentials", "--token-url", "http://127.0.0.1:1/t", "--scope", "a b"), "--scope"},
		{"crm token redirect", cmdtest.With(crmEnv, "TRIBE_CRM_REFRESH_TOKEN", "r"), "", args("crm", "token", "--grant", "refresh-token", "--redirect-url", "ftp://x", "--token-url", "http://127.0.0.1:1/t", "--store", store), "--redirect-url"},
		{"crm login port", crmEnv, "", args("crm", "login", "--port", "70000", "--store", store), "--port"},
		{"crm login redirect", crmEnv, "", args("crm", "login", "--redirect-url", "https://127.0.0.1/cb", "--store", store), "--redirect-url"},
		{"crm login redirect query", crmEnv, "", args("crm", "login", "--redirect-url", "http://127.0.0.1/cb?x=1", "--store", store), "--redirect-url"},
		{"crm login organization", crmEnv, "", args("crm", "login", "--organization", "acme", "--store", store), "--organization"},
		{"crm whoami api-url", cmdtest.With(crmEnv, "TRIBE_CRM_TOKEN", "t"), "", args("crm", "whoami", "--api-url", "ftp://x"), "--api-url"},
		{"mock token lifetime", nil, "", args("mock", "--token-lifetime", "10ms"), "--token-lifetime"},
		{"version output", nil, "", args("version", "-o", "yaml"), "--output"},
		{"api endpoint", creds, "", args("api", "--network", "n", "--endpoint", "ftp://x", "{ a }"), "--endpoint"},
		{"api network from env", cmdtest.With(creds, "TRIBE_NETWORK_ID", "n\t1"), "", args("api", "{ a }"), "TRIBE_NETWORK_ID"},
		{"api gateway", map[string]string{"TRIBE_TOKEN": "tok", "TRIBE_GATEWAY_URL": "https://"}, "", args("api", "{ a }"), "TRIBE_GATEWAY_URL"},
		{"api secret newline", cmdtest.With(creds, "TRIBE_CLIENT_SECRET", "client-secret-value\n"), "", args("api", "--network", "n", "{ a }"), "TRIBE_CLIENT_SECRET"},
		{"api max pages", nil, "", args("api", "--max-pages", "-1", "{ a }"), "--max-pages"},
		{"api variables", nil, "", args("api", "--variables", "1", "{ a }"), "--variables"},
		{"api cache url", cmdtest.With(creds, "TRIBE_CACHE_KEY", "k"), "", args("api", "--network", "n", "--cache", "ftp://x", "{ a }"), "--cache"},
		{"mint cache url env", cmdtest.With(creds, "TRIBE_CACHE_URL", "ftp://x"), "", args("mint", "--network", "n"), "TRIBE_CACHE_URL"},
		{"mint cache key env", cmdtest.With(creds, "TRIBE_CACHE_URL", "redis://127.0.0.1:1", "TRIBE_CACHE_KEY", "abc"), "", args("mint", "--network", "n"), "TRIBE_CACHE_KEY"},
		{"schema pull endpoint", creds, "", args("schema", "pull", "--network", "n", "--endpoint", "ftp://x"), "--endpoint"},
		{"schema pull token", map[string]string{"TRIBE_TOKEN": "a b"}, "", args("schema", "pull"), "malformed access token"},
		{"demo arguments", nil, "", args("demo", "now"), "tribe-token demo takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Env: tt.env, Stdin: tt.in, Args: tt.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tt.want)
			assert.NotRegexp(t, libraryField, r.Stderr)
			assert.NotContains(t, r.Stderr, "client-secret-value")
		})
	}
}
