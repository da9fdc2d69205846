package root

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	crmwhoami "github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/decode"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/jwt/check"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mock"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/whoami"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

// result is one in-process run of tribe-token.
type result struct {
	code           int
	stdout, stderr string
}

// invocation is a command line with its environment and stdin.
type invocation struct {
	env   map[string]string
	stdin string
	args  []string
}

// run runs tribe-token in-process with a fake environment.
func run(t *testing.T, inv invocation) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	return runCtx(ctx, inv)
}

// runCtx is run with a caller's context.
func runCtx(ctx context.Context, inv invocation) result {
	var stdout, stderr bytes.Buffer
	getenv := func(k string) string { return inv.env[k] }
	code := Run(ctx, inv.args, strings.NewReader(inv.stdin), &stdout, &stderr, getenv)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// runHooked is run with the run's test hooks (Transport, Environ, Browser,
// DefaultTimeout) set by hook.
func runHooked(t *testing.T, inv invocation, hook func(f *cmdutil.Factory)) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	f := cmdutil.New(strings.NewReader(inv.stdin), &stdout, &stderr, func(k string) string { return inv.env[k] })
	hook(f)
	code := Execute(ctx, f, inv.args)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// The names the tests use for what now lives in the command packages.
const (
	ExitOK       = cmdutil.ExitOK
	ExitFailure  = cmdutil.ExitFailure
	ExitUsage    = cmdutil.ExitUsage
	outToken     = cmdutil.OutToken
	outJSON      = cmdutil.OutJSON
	outEnv       = cmdutil.OutEnv
	progName     = cmdutil.ProgName
	insecureHelp = cmdutil.InsecureHelp
)

type (
	whoamiResult    = whoami.Result
	decodeResult    = decode.Result
	jwtCheckResult  = check.Result
	crmWhoamiResult = crmwhoami.Result
	mockInfo        = mock.Info
	crmMeta         = shared.Meta
)

// saveMeta records m beside the CRM token file at store.
func saveMeta(store string, m crmMeta) error { return shared.SaveMeta(store, m) }

// metaPath is the path of the record beside the CRM token file.
func metaPath(store string) string { return shared.MetaPath(store) }

// newRoot builds the command tree with an empty environment.
func newRoot() *cobra.Command {
	return NewCmdRoot(cmdutil.New(strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" }))
}

// args is a shorthand for an invocation's arguments.
func args(a ...string) []string { return a }

// newMock starts a tribetest server closed with the test.
func newMock(t *testing.T, opts ...tribetest.Option) *tribetest.Server {
	t.Helper()
	srv := tribetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// appEnv is the environment of the mock's default app.
func appEnv(srv *tribetest.Server) map[string]string {
	return map[string]string{
		"TRIBE_CLIENT_ID":     tribetest.DefaultClientID,
		"TRIBE_CLIENT_SECRET": tribetest.DefaultClientSecret,
		"TRIBE_ENDPOINT":      srv.GraphQLURL(),
	}
}

// with returns a copy of env with more variables.
func with(env map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(env)+len(kv)/2)
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// requireOK asserts a successful run with nothing on stderr.
func requireOK(t *testing.T, r result) {
	t.Helper()
	require.Equal(t, ExitOK, r.code, "stderr: %s", r.stderr)
	require.Empty(t, r.stderr)
}

// requireFail asserts a failed run with exit code code and one error line
// on stderr that contains each of want.
func requireFail(t *testing.T, r result, code int, want ...string) {
	t.Helper()
	require.Equal(t, code, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
	require.Empty(t, r.stdout)
	require.True(t, strings.HasPrefix(r.stderr, "tribe-token: "), "stderr: %q", r.stderr)
	require.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line: %q", r.stderr)
	for _, w := range want {
		require.Contains(t, r.stderr, w)
	}
}

// mintToken mints a token through the CLI.
func mintToken(t *testing.T, srv *tribetest.Server, extra ...string) string {
	t.Helper()
	r := run(t, invocation{env: appEnv(srv), args: append([]string{"mint", "--network", tribetest.DefaultNetworkID}, extra...)})
	requireOK(t, r)
	return strings.TrimSuffix(r.stdout, "\n")
}
