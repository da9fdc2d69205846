package pull

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/schema"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdPull(t *testing.T) {
	def := Options{Output: FormatSDL}
	with := func(f func(o *Options)) Options { o := def; f(&o); return o }
	cmdtest.RunFlagTable(t, NewCmdPull, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Args: nil, Want: def},
		{Name: "every flag", Args: []string{"--network", "n1", "--client-id", "id", "--client-secret-file", "-", "--endpoint", "https://x.example/graphql", "--insecure-http", "-o", "json", "--file", "schema.json", "--no-retry"},
			Want: Options{Network: "n1", App: cmdutil.AppFlags{ClientID: "id", SecretFile: "-"}, Endpoint: cmdutil.EndpointFlags{Endpoint: "https://x.example/graphql"}, Insecure: true, Output: FormatJSON, File: "schema.json", NoRetry: true}},
		{Name: "region us", Args: []string{"--region", "us", "--network", "n"}, Want: with(func(o *Options) { o.Endpoint.Region = "us"; o.Network = "n" })},
		{Name: "region eu", Args: []string{"--region", "eu", "--output", "sdl", "--file", "s.graphql"}, Want: with(func(o *Options) { o.Endpoint.Region = "eu"; o.File = "s.graphql" })},
		{Name: "a file given to -o", Args: []string{"-o", "schema.graphql"}, WantErr: `-o "schema.graphql" looks like a file: -o is the format (sdl or json); use --file FILE`},
		{Name: "a path given to -o", Args: []string{"-o", "out/schema"}, WantErr: "use --file FILE"},
		{Name: "a file named json", Args: []string{"-o", "json.graphql"}, WantErr: "use --file FILE"},
		{Name: "unknown format", Args: []string{"-o", "yaml"}, WantErr: `unknown -o "yaml"; use sdl (the default) or json`},
		{Name: "anonymous", Args: []string{"--anonymous"}, Want: with(func(o *Options) { o.Anonymous = true })},
		{Name: "token file", Args: []string{"--token-file", "-"}, Want: with(func(o *Options) { o.Token.File = "-" })},
		{Name: "unknown region", Args: []string{"--region", "mars"}, WantErr: `unknown --region "mars"`},
		{Name: "endpoint and region", Args: []string{"--region", "eu", "--endpoint", "https://x"}, WantErr: "--endpoint and --region both"},
		{Name: "network with a space", Args: []string{"--network", "n 1"}, WantErr: `--network "n 1" has spaces`},
		{Name: "anonymous and token", Args: []string{"--anonymous", "--token-file", "t"}, WantErr: "--anonymous sends no token and --token-file"},
		{Name: "anonymous and network", Args: []string{"--anonymous", "--network", "n"}, WantErr: "--anonymous sends no token and --network"},
		{Name: "token and network", Args: []string{"--token-file", "t", "--network", "n"}, WantErr: "--token-file gives the token and --network"},
		{Name: "token as a flag", Args: []string{"--token", "x"}, WantErr: "TRIBE_TOKEN"},
		{Name: "argument", Args: []string{"extra"}, WantErr: "takes no arguments"},
	})
}

// TestPullOutputIsNeverWrittenThroughALink checks -o refuses a symbolic
// link, leaving the file it points to as it was, and writes a plain file
// with mode 0644 (less the umask).
func TestPullOutputIsNeverWrittenThroughALink(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	victim := filepath.Join(dir, "important.conf")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o600))
	link := filepath.Join(dir, "schema.graphql")
	require.NoError(t, os.Symlink(victim, link))

	pull := func(out string) error {
		f := cmdutil.New(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
		opts := &Options{Factory: f, Anonymous: true, Endpoint: cmdutil.EndpointFlags{Endpoint: srv.GraphQLURL()}, Output: FormatSDL, File: out}
		return pullRun(context.Background(), opts)
	}
	err := pull(link)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "writing the schema to --file "+link)
	assert.Contains(t, err.Error(), "is a symbolic link")
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b))
	fi, err := os.Stat(victim)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the file the link points to keeps its mode")

	out := filepath.Join(dir, "real.graphql")
	require.NoError(t, pull(out))
	fi, err = os.Stat(out)
	require.NoError(t, err)
	assert.Zero(t, fi.Mode().Perm()&^0o644, "no more than 0644")
	assert.NotZero(t, fi.Mode().Perm()&0o400)
}

// TestPullFormats checks -o sdl and -o json, to stdout and to --file: the
// JSON is the introspection answer, which schema.Load (and mock --schema)
// reads back as the same schema.
func TestPullFormats(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	env := map[string]string{"TRIBE_ENDPOINT": srv.GraphQLURL()}
	sdl := cmdtest.Exec(t.Context(), env, nil, NewCmdPull, "--anonymous")
	require.Equal(t, cmdutil.ExitOK, sdl.Code, sdl.Stderr)
	require.Empty(t, sdl.Stderr)
	require.Contains(t, sdl.Stdout, "type Query {")
	served, err := schema.Load("stdout", []byte(sdl.Stdout))
	require.NoError(t, err)

	t.Run("json to stdout", func(t *testing.T) {
		r := cmdtest.Exec(t.Context(), env, nil, NewCmdPull, "--anonymous", "-o", "json")
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		var answer struct {
			Data struct {
				Schema json.RawMessage `json:"__schema"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &answer))
		assert.NotEmpty(t, answer.Data.Schema, "the answer is {\"data\": {\"__schema\": ...}}")
		loaded, err := schema.Load("stdout", []byte(r.Stdout))
		require.NoError(t, err)
		assert.Equal(t, schema.Format(served), schema.Format(loaded))
	})
	t.Run("json to --file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "schema.json")
		r := cmdtest.Exec(t.Context(), env, nil, NewCmdPull, "--anonymous", "-o", "JSON", "--file", out)
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Empty(t, r.Stdout)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(b), "{\n  \"data\": {"), "indented JSON: %.40q", b)
		loaded, err := schema.Load(out, b)
		require.NoError(t, err)
		assert.Equal(t, schema.Format(served), schema.Format(loaded))
	})
	t.Run("sdl to --file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "schema.graphql")
		r := cmdtest.Exec(t.Context(), env, nil, NewCmdPull, "--anonymous", "--file", out)
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, sdl.Stdout, string(b))
	})
	t.Run("a file given to -o writes nothing", func(t *testing.T) {
		dir := t.TempDir()
		r := cmdtest.Exec(t.Context(), env, nil, NewCmdPull, "--anonymous", "-o", filepath.Join(dir, "schema.graphql"))
		assert.Equal(t, cmdutil.ExitUsage, r.Code)
		assert.Contains(t, r.Stderr, "use --file FILE")
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Empty(t, entries)
	})
}

// TestPullMintRefused checks a bot token refused at the mint: the message
// names where the credentials came from, with no piece of the answer's
// body and no hint that the endpoint may be stale.
func TestPullMintRefused(t *testing.T) {
	srv := tribetest.NewServer()
	defer srv.Close()
	env := map[string]string{"TRIBE_ENDPOINT": srv.GraphQLURL(), "TRIBE_CLIENT_ID": tribetest.DefaultClientID, "TRIBE_CLIENT_SECRET": "wrong-secret"}
	r := cmdtest.Exec(t.Context(), env, nil, NewCmdPull, "--network", tribetest.DefaultNetworkID)
	assert.Equal(t, cmdutil.ExitFailure, r.Code)
	assert.Contains(t, r.Stderr, "HTTP 401")
	assert.Contains(t, r.Stderr, "check the client id and secret (from TRIBE_CLIENT_ID / TRIBE_CLIENT_SECRET)")
	assert.NotContains(t, r.Stderr, "is it stale")
	assert.NotContains(t, r.Stderr, `\"`, "no piece of the body")
	assert.NotContains(t, r.Stderr, "wrong-secret")
}

func TestSchemaPull(t *testing.T) {
	srv := cmdtest.NewMock(t)
	served, err := schema.Load("schema.graphql", []byte(tribekit.Schema()))
	require.NoError(t, err)
	want := schema.Format(served)
	require.NotEmpty(t, want)

	t.Run("bot token to stdout", func(t *testing.T) {
		srv.Reset()
		r := cmdtest.Run(t, NewCmdPull, cmdtest.Invocation{Env: cmdtest.APIEnv(srv)})
		cmdtest.RequireOK(t, r)
		assert.Equal(t, want, r.Stdout)
		assert.Equal(t, 1, srv.Count("limitedToken"))
	})
	t.Run("TRIBE_TOKEN to a file", func(t *testing.T) {
		tok, err := srv.MintToken(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
		require.NoError(t, err)
		out := filepath.Join(t.TempDir(), "sub", "schema.graphql")
		r := cmdtest.Run(t, NewCmdPull, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.GraphQLURL()}, Args: []string{"--file", out}})
		cmdtest.RequireOK(t, r)
		assert.Empty(t, r.Stdout)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
		st, err := os.Stat(out)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	})
	t.Run("the same twice", func(t *testing.T) {
		a := cmdtest.Run(t, NewCmdPull, cmdtest.Invocation{Env: cmdtest.APIEnv(srv)})
		b := cmdtest.Run(t, NewCmdPull, cmdtest.Invocation{Env: cmdtest.APIEnv(srv)})
		cmdtest.RequireOK(t, a)
		assert.Equal(t, a.Stdout, b.Stdout)
	})
	t.Run("no credentials", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdPull, cmdtest.Invocation{Env: cmdtest.AppEnv(srv)})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "no credentials", "--network", "TRIBE_TOKEN", "--anonymous")
	})
	t.Run("anonymous", func(t *testing.T) {
		srv.Reset()
		// The mock answers introspection without a token.
		r := cmdtest.Run(t, NewCmdPull, cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"--anonymous"}})
		cmdtest.RequireOK(t, r)
		assert.Equal(t, want, r.Stdout)
		assert.Zero(t, srv.Count("limitedToken"))
	})
	t.Run("anonymous refused", func(t *testing.T) {
		anon, n := graphQLServerAnon(t)
		r := cmdtest.Run(t, NewCmdPull, cmdtest.Invocation{Args: []string{"--anonymous", "--endpoint", anon.URL}})
		cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "introspection refused here")
		assert.Equal(t, int32(1), n.Load())
	})
}

// graphQLServerAnon answers every request with a GraphQL error, and checks
// that no token came.
func graphQLServerAnon(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if got := r.Header.Get("Authorization"); got != "" {
			t.Errorf("Authorization %q sent with --anonymous", got)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":null,"errors":[{"message":"introspection refused here"}]}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}
