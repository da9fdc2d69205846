package cmdtest

import (
	"encoding/base64"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// NewMock starts a tribetest server closed with the test.
func NewMock(t *testing.T, opts ...tribetest.Option) *tribetest.Server {
	t.Helper()
	srv := tribetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// AppEnv is the environment of the mock's default app: its client id and
// secret and the mock's GraphQL endpoint.
func AppEnv(srv *tribetest.Server) map[string]string {
	return map[string]string{
		"TRIBE_CLIENT_ID":     tribetest.DefaultClientID,
		"TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret,
		"TRIBE_ENDPOINT":      srv.GraphQLURL(),
	}
}

// APIEnv is [AppEnv] with the mock's default community as TRIBE_NETWORK_ID.
func APIEnv(srv *tribetest.Server) map[string]string {
	return With(AppEnv(srv), "TRIBE_NETWORK_ID", tribetest.DefaultNetworkID)
}

// With returns a copy of env with more variables, given as name, value
// pairs; an empty value unsets a variable, as a command reads the two
// alike.
func With(env map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(env)+len(kv)/2)
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// NewCRM starts a crmtest server closed with the test, and returns it with
// the environment (the default application's client id and secret) and
// the flags (--base-url, then --store, a file in a new directory, last)
// that point a crm command at it.
func NewCRM(t *testing.T, opts ...crmtest.Option) (*crmtest.Server, map[string]string, []string) {
	t.Helper()
	srv := crmtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	env := map[string]string{
		"TRIBE_CRM_CLIENT_ID":     crmtest.DefaultClientID,
		"TRIBE_CRM_CLIENT_SECRET": crmtest.DefaultClientSecret,
	}
	store := filepath.Join(t.TempDir(), "crm", "token.json")
	return srv, env, []string{"--base-url", srv.URL, "--store", store}
}

// MintToken mints a bot token (or, with --member in extra, a member's)
// from srv for the default app and community, through the mint command
// newMint builds, and fails the test if that fails.
func MintToken[O any](t *testing.T, srv *tribetest.Server, newMint func(*cmdutil.Factory, func(*O) error) *cobra.Command, extra ...string) string {
	t.Helper()
	r := Exec(t.Context(), AppEnv(srv), nil, newMint, append([]string{"--network", tribetest.DefaultNetworkID}, extra...)...)
	RequireOK(t, r)
	return strings.TrimSuffix(r.Stdout, "\n")
}

// ParseEnvOutput is what sourcing the lines of "--output env" sets: each
// "export NAME='value'" line's name and value. An "unset ..." line is
// passed over; any other line fails the test.
func ParseEnvOutput(t *testing.T, stdout string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if strings.HasPrefix(l, "unset ") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(l, "export "), "=")
		require.True(t, ok, l)
		env[k] = strings.Trim(v, "'")
	}
	return env
}

// CacheKey is a key for the token cache, as head -c 32 /dev/urandom |
// base64 prints one, different for each b.
func CacheKey(b byte) string {
	k := make([]byte, 32)
	for i := range k {
		k[i] = b + byte(i)*7
	}
	return base64.StdEncoding.EncodeToString(k)
}

// ClosedPort returns a loopback address nothing listens on.
func ClosedPort(t *testing.T) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
}

// PasswordRefreshToken gets a fresh refresh token from the mock env points
// at (TRIBE_COMMUNITY_URL, the app's credentials and TRIBE_PASSWORD), for
// carol, through the password command newPassword builds.
func PasswordRefreshToken[O any](t *testing.T, env map[string]string, newPassword func(*cmdutil.Factory, func(*O) error) *cobra.Command) string {
	t.Helper()
	r := Exec(t.Context(), env, nil, newPassword, "--username", "carol", "-o", "json", "--with-refresh-token")
	RequireOK(t, r)
	var out struct {
		RefreshToken string `json:"refresh_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out))
	require.NotEmpty(t, out.RefreshToken)
	return out.RefreshToken
}
