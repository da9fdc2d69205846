package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/redact"
)

// plainSecret stands for a secret typed where it does not belong.
const plainSecret = "pl41n-s3cret-on-the-command-line"

func TestBadUsage(t *testing.T) {
	creds := map[string]string{
		"TRIBE_CLIENT_ID":     "id",
		"TRIBE_CLIENT_SECRET": "client-secret-value",
		"TRIBE_ENDPOINT":      "http://127.0.0.1:1/graphql",
	}
	empty := filepath.Join(t.TempDir(), "empty")
	require.NoError(t, writeEmpty(empty))
	grants := cmdtest.With(creds, "TRIBE_COMMUNITY_URL", "http://127.0.0.1:1", "TRIBE_PASSWORD", "pw-value")
	tests := []struct {
		name string
		env  map[string]string
		in   string
		args []string
		want []string
	}{
		{"no command", nil, "", args("bogus"), []string{"unknown command (see 'tribe-token --help')"}},
		{"missing client secret", map[string]string{"TRIBE_CLIENT_ID": "id"}, "", args("mint", "--network", "n"), []string{"no client secret", "TRIBE_CLIENT_SECRET", "--client-secret-file"}},
		{"missing client id", map[string]string{"TRIBE_CLIENT_SECRET": "x"}, "", args("mint", "--network", "n"), []string{"TRIBE_CLIENT_ID"}},
		{"missing network", creds, "", args("mint"), []string{"--network"}},
		{"unknown region", creds, "", args("mint", "--network", "n", "--region", "mars"), []string{`unknown --region "mars"`}},
		{"region and endpoint", creds, "", args("mint", "--network", "n", "--region", "eu", "--endpoint", "https://x.example"), []string{"give one of them"}},
		{"unknown output", creds, "", args("mint", "--network", "n", "-o", "yaml"), []string{`unknown --output "yaml"`}},
		{"unknown context", creds, "", args("mint", "--network", "n", "--context", "galaxy"), []string{"permission context"}},
		{"context without entity", creds, "", args("mint", "--network", "n", "--context", "SPACE"), []string{"entity"}},
		{"not an endpoint", creds, "", args("mint", "--network", "n", "--endpoint", "ftp://x"), []string{"endpoint"}},
		{"empty secret file", map[string]string{"TRIBE_CLIENT_ID": "id"}, "", args("mint", "--network", "n", "--client-secret-file", empty), []string{"is empty"}},
		{"missing secret file", map[string]string{"TRIBE_CLIENT_ID": "id"}, "", args("mint", "--network", "n", "--client-secret-file", empty+"-nope"), []string{"no such file"}},
		{"secret as flag", creds, "", args("mint", "--network", "n", "--client-secret", plainSecret), []string{"unknown flag: --client-secret", "TRIBE_CLIENT_SECRET"}},
		{"secret as flag=", creds, "", args("mint", "--network", "n", "--client-secret="+plainSecret), []string{"unknown flag: --client-secret"}},
		{"secret glued to shorthand", creds, "", args("mint", "--network", "n", "-s"+plainSecret), []string{"unknown shorthand flag: 's'"}},
		{"secret as argument", creds, "", args("mint", "--network", "n", plainSecret), []string{"takes no arguments"}},
		{"token as flag", nil, "", args("whoami", "--token", plainSecret), []string{"TRIBE_TOKEN", "--token-file"}},
		{"password as flag", grants, "", args("password", "--username", "u", "--password", plainSecret), []string{"TRIBE_PASSWORD"}},
		{"missing token", nil, "", args("whoami"), []string{"no access token", "TRIBE_TOKEN"}},
		{"malformed token", map[string]string{"TRIBE_TOKEN": "two words"}, "", args("whoami"), []string{"malformed"}},
		{"decode not a jwt", map[string]string{"TRIBE_TOKEN": "abc"}, "", args("decode"), []string{"malformed token", "three"}},
		{"decode bad base64", map[string]string{"TRIBE_TOKEN": "a.b!.c"}, "", args("decode"), []string{"malformed token"}},
		{"decode not json", nil, "e30.bm90IGpzb24.sig", args("decode", "--token-file", "-"), []string{"not a JSON object"}},
		{"two identifiers", grants, "", args("exchange", "--email", "a@example.com", "--user-id", "u1"), []string{"only one of", "--email and --user-id"}},
		{"no identifier", grants, "", args("exchange"), []string{"one of --email, --user-id or --external-id"}},
		{"no community", creds, "", args("exchange", "--email", "a@example.com"), []string{"--community"}},
		{"community and token url", grants, "", args("password", "--username", "u", "--community", "http://127.0.0.1:1", "--token-url", "http://127.0.0.1:1/t"), []string{"give one of them"}},
		{"missing password", creds, "", args("password", "--community", "http://127.0.0.1:1", "--username", "u"), []string{"TRIBE_PASSWORD"}},
		{"two inputs on stdin", map[string]string{"TRIBE_CLIENT_ID": "id"}, "x\n", args("password", "--community", "http://127.0.0.1:1", "--username", "u", "--client-secret-file", "-", "--password-file", "-"), []string{"only one input can come from stdin"}},
		{"refresh token with bare output", grants, "", args("password", "--username", "u", "--with-refresh-token"), []string{"--output json or env"}},
		{"crm unknown grant", map[string]string{"TRIBE_CRM_CLIENT_ID": "c", "TRIBE_CRM_CLIENT_SECRET": "s"}, "", args("crm", "token", "--grant", "magic", "--store", empty), []string{`unknown --grant "magic"`}},
		{"crm quick setup without redirect", map[string]string{"TRIBE_CRM_CLIENT_ID": "c", "TRIBE_CRM_CLIENT_SECRET": "s", "TRIBE_CRM_REFRESH_TOKEN": "r"}, "", args("crm", "token", "--grant", "refresh-token", "--store", empty), []string{"--redirect-url"}},
		{"crm missing client id", nil, "", args("crm", "token", "--grant", "client-credentials"), []string{"TRIBE_CRM_CLIENT_ID"}},
		{"crm secret as flag", nil, "", args("crm", "token", "--refresh-token", plainSecret), []string{"TRIBE_CRM_REFRESH_TOKEN", "--refresh-token-file"}},
		{"crm unknown subcommand", nil, "", args("crm", "logout"), []string{"unknown command (see 'tribe-token crm --help')"}},
		{"mock bad fixtures", nil, "", args("mock", "--fixtures", empty), []string{"--fixtures"}},
		{"mock addr without port", nil, "", args("mock", "--addr", "nonsense"), []string{`--addr "nonsense" is not HOST:PORT`}},
		{"mock addr bad port", nil, "", args("mock", "--addr", "127.0.0.1:99999"), []string{"no port number"}},
		{"secret as command", nil, "", args(plainSecret), []string{"unknown command (see 'tribe-token --help')"}},
		{"secret as jwt subcommand", nil, "", args("jwt", plainSecret), []string{"unknown command (see 'tribe-token jwt --help')"}},
		{"secret as crm subcommand", nil, "", args("crm", plainSecret), []string{"unknown command (see 'tribe-token crm --help')"}},
		{"secret as completion shell", nil, "", args("completion", plainSecret), []string{"unknown command (see 'tribe-token completion --help')"}},
		{"secret after completion shell", nil, "", args("completion", "bash", plainSecret), []string{"takes no arguments"}},
		{"secret as help topic", nil, "", args("help", plainSecret), []string{"unknown help topic"}},
		{"help topic with a secret after", nil, "", args("help", "mint", plainSecret), []string{"unknown help topic"}},
		{"api without a query", creds, "", args("api"), []string{"takes one argument, the query"}},
		{"api secret as a second argument", creds, "", args("api", "{ network { id } }", plainSecret), []string{"but got 2"}},
		{"api token as flag", creds, "", args("api", "--token", plainSecret, "{ a }"), []string{"TRIBE_TOKEN", "--token-file"}},
		{"api bad query", creds, "", args("api", "--network", "n", "{ a "), []string{"does not parse"}},
		{"api bad variable", creds, "", args("api", "--network", "n", "-F", "a-b=1", "{ a }"), []string{"-F", "not a GraphQL name"}},
		{"api no credentials", creds, "", args("api", "{ a }"), []string{"no credentials"}},
		{"schema pull no credentials", creds, "", args("schema", "pull"), []string{"no credentials", "--anonymous"}},
		{"schema pull secret as argument", creds, "", args("schema", "pull", plainSecret), []string{"takes no arguments"}},
		{"secret as schema subcommand", nil, "", args("schema", plainSecret), []string{"unknown command (see 'tribe-token schema --help')"}},
		{"cache without key", creds, "", args("mint", "--network", "n", "--cache", "redis://127.0.0.1:1"), []string{"no cache encryption key", "TRIBE_CACHE_KEY"}},
		{"negative timeout", creds, "", args("mint", "--network", "n", "--timeout", "-1s"), []string{"--timeout -1s is negative"}},
		{"negative timeout first", creds, "", args("--timeout", "-5s", "whoami"), []string{"--timeout -5s is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, cmdtest.Invocation{Env: tt.env, Stdin: tt.in, Args: tt.args})
			cmdtest.RequireFail(t, r, cmdutil.ExitUsage, tt.want...)
			assert.Contains(t, r.Stderr, "--help')", "says where the help is")
			assert.NotContains(t, r.Stderr, plainSecret)
			assert.NotContains(t, r.Stderr, redact.Marker, "no message of ours reads as a credential")
			for _, v := range tt.env {
				if strings.Contains(v, "secret") || strings.Contains(v, "pw") {
					assert.NotContains(t, r.Stderr, v)
				}
			}
		})
	}
}

// writeEmpty creates an empty file.
func writeEmpty(path string) error { return os.WriteFile(path, nil, 0o600) }
