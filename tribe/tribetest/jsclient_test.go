package tribetest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/testenv"
)

// gqlClientVersion is the version of Tribe's official JavaScript client
// the test runs.
const gqlClientVersion = "2.4.0"

// installGQLClient installs @tribeplatform/gql-client with npm into a
// directory of the user's cache (once: later runs reuse it) and returns
// the path of its TribeClient module.
func installGQLClient(t *testing.T, npm string) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "tribekit-tests", "gql-client-"+gqlClientVersion)
	module := filepath.Join(dir, "node_modules", "@tribeplatform", "gql-client", "dist", "client", "index.js")
	if _, err := os.Stat(module); err == nil {
		return module
	}
	require.NoError(t, os.MkdirAll(filepath.Dir(dir), 0o755))
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "install-")
	require.NoError(t, err)
	defer os.RemoveAll(tmp)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "package.json"), []byte(`{"private":true}`), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--silent", "@tribeplatform/gql-client@"+gqlClientVersion)
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	require.NoErrorf(t, err, "npm install: %s", out)
	if err := os.Rename(tmp, dir); err != nil { // another run got there first
		_, statErr := os.Stat(module)
		require.NoError(t, statErr, "rename: %v", err)
	}
	return module
}

// clientScript mints a token with the official client's generateToken
// (limitedToken with the app's Basic credentials) and prints it as JSON.
const clientScript = `
const { TribeClient } = await import(process.env.GQL_CLIENT_MODULE);
const c = new TribeClient({ graphqlUrl: process.env.TRIBE_URL, clientId: process.env.TRIBE_CLIENT_ID, clientSecret: process.env.TRIBE_CLIENT_SECRET });
const accessToken = await c.generateToken({ networkId: process.env.TRIBE_NETWORK_ID, memberId: process.env.TRIBE_MEMBER_ID || undefined });
console.log(JSON.stringify({ accessToken }));
`

// TestOfficialJSClient: Tribe's official JavaScript client
// (@tribeplatform/gql-client) mints tokens against the mock, on the
// repository's schema and on the published one, for the bot and for a
// member it impersonates.
func TestOfficialJSClient(t *testing.T) {
	node, npm := testenv.NodeNPM(t)
	pub := publishedSchema(t)
	module := installGQLClient(t, npm)
	script := filepath.Join(t.TempDir(), "mint.mjs")
	require.NoError(t, os.WriteFile(script, []byte(clientScript), 0o644))
	tests := []struct {
		name   string
		opts   []Option
		member string
	}{
		{"repository schema, bot", nil, ""},
		{"published schema, bot", []Option{WithSchema(pub)}, ""},
		{"published schema, member", []Option{WithSchema(pub)}, PlainMemberID},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := setup(t, tc.opts...)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, script)
			cmd.Env = append(os.Environ(),
				"GQL_CLIENT_MODULE=file://"+module,
				"TRIBE_URL="+s.GraphQLURL(),
				"TRIBE_CLIENT_ID="+DefaultClientID,
				"TRIBE_CLIENT_SECRET="+DefaultClientSecret,
				"TRIBE_NETWORK_ID="+DefaultNetworkID,
				"TRIBE_MEMBER_ID="+tc.member,
			)
			out, err := cmd.Output()
			var stderr string
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			require.NoErrorf(t, err, "node: %s", stderr)
			var got struct{ AccessToken string }
			require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(string(out))), &got), string(out))
			require.NotEmpty(t, got.AccessToken)

			want := tc.member
			if want == "" {
				bot, ok := s.Bot(DefaultClientID, DefaultNetworkID)
				require.True(t, ok)
				want = bot.ID
			}
			r := q(t, s, bearer(got.AccessToken), `{ authMember { id } }`, nil)
			assert.Equal(t, want, path(r.Data, "authMember", "id"), "the token acts as whom it was minted for")
			recs := s.Requests()
			require.NotEmpty(t, recs)
			assert.Equal(t, []string{"limitedToken"}, recs[0].Fields)
			assert.Equal(t, AuthBasic, recs[0].Auth)
			assert.Equal(t, 200, recs[0].Status)
		})
	}
}
