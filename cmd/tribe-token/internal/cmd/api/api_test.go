package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/schema"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdAPI(t *testing.T) {
	const q = "query { network { id } }"
	def := Options{Query: q, MaxPages: DefaultMaxPages, MaxBytes: DefaultMaxBytes, MaxWait: DefaultMaxWait}
	with := func(f func(o *Options)) Options { o := def; f(&o); return o }
	cmdtest.RunFlagTable(t, NewCmdAPI, []cmdtest.FlagCase[Options]{
		{Name: "query alone", Args: []string{q}, Want: def},
		{Name: "every flag", Args: []string{"--network", "n1", "--member", "m1", "-F", "a=1", "--field", "b=@f.txt", "-f", "c=x", "--raw-field", "d=true", "--variables", `{"e": 2}`,
			"--paginate", "--max-pages", "5", "--max-bytes", "1GiB", "--verbose", "--no-retry", "--max-wait", "1m", "--client-id", "id", "--client-secret-file", "-", "--endpoint", "https://x.example/graphql", "--insecure-http",
			"--cache", "redis://127.0.0.1:6379", "--cache-key-file", "key.txt", q},
			Want: Options{Query: q, Network: "n1", Member: "m1", Typed: []string{"a=1", "b=@f.txt"}, Raw: []string{"c=x", "d=true"}, Variables: `{"e": 2}`,
				Paginate: true, MaxPages: 5, MaxBytes: 1 << 30, Verbose: true, NoRetry: true, MaxWait: time.Minute, App: cmdutil.AppFlags{ClientID: "id", SecretFile: "-"},
				Endpoint: cmdutil.EndpointFlags{Endpoint: "https://x.example/graphql"}, Insecure: true,
				Cache: cmdutil.CacheFlags{URL: "redis://127.0.0.1:6379", KeyFile: "key.txt"}}},
		{Name: "region us", Args: []string{"--region", "us", q}, Want: with(func(o *Options) { o.Endpoint.Region = "us" })},
		{Name: "region eu", Args: []string{"--region", "eu", q}, Want: with(func(o *Options) { o.Endpoint.Region = "eu" })},
		{Name: "query from a file", Args: []string{"@q.graphql"}, Want: with(func(o *Options) { o.Query = "@q.graphql" })},
		{Name: "query from stdin", Args: []string{"-"}, Want: with(func(o *Options) { o.Query = "-" })},
		{Name: "token file", Args: []string{"--token-file", "t.txt", q}, Want: with(func(o *Options) { o.Token.File = "t.txt" })},
		{Name: "insecure cache", Args: []string{"--cache", "redis://h:1", "--cache-insecure-no-encryption", q}, Want: with(func(o *Options) { o.Cache = cmdutil.CacheFlags{URL: "redis://h:1", InsecureNoEncryption: true} })},
		{Name: "no query", Args: nil, WantErr: "takes one argument, the query"},
		{Name: "two queries", Args: []string{q, "x"}, WantErr: "but got 2"},
		{Name: "empty query", Args: []string{""}, WantErr: "the query is empty"},
		{Name: "unknown region", Args: []string{"--region", "mars", q}, WantErr: `unknown --region "mars"`},
		{Name: "endpoint and region", Args: []string{"--region", "eu", "--endpoint", "https://x", q}, WantErr: "--endpoint and --region both"},
		{Name: "network with a space", Args: []string{"--network", "n 1", q}, WantErr: `--network "n 1" has spaces`},
		{Name: "member with a tab", Args: []string{"--member", "m\t1", q}, WantErr: "--member"},
		{Name: "token file and network", Args: []string{"--token-file", "t", "--network", "n", q}, WantErr: "--token-file gives the token and --network"},
		{Name: "token file and member", Args: []string{"--token-file", "t", "--member", "m", q}, WantErr: "--member is for minting"},
		{Name: "token file and cache", Args: []string{"--token-file", "t", "--cache", "redis://h:1", q}, WantErr: "--cache is for minting"},
		{Name: "max pages zero", Args: []string{"--max-pages", "0", q}, WantErr: "--max-pages 0 is not from 1"},
		{Name: "max pages huge", Args: []string{"--max-pages", "1000000", q}, WantErr: "--max-pages 1000000"},
		{Name: "max bytes in bytes", Args: []string{"--max-bytes", "1048576", q}, Want: with(func(o *Options) { o.MaxBytes = 1 << 20 })},
		{Name: "max bytes in KiB", Args: []string{"--max-bytes", "512KiB", q}, Want: with(func(o *Options) { o.MaxBytes = 512 << 10 })},
		{Name: "max bytes in MiB", Args: []string{"--max-bytes=256MiB", q}, Want: with(func(o *Options) { o.MaxBytes = 256 << 20 })},
		{Name: "max bytes with B", Args: []string{"--max-bytes", "100B", q}, Want: with(func(o *Options) { o.MaxBytes = 100 })},
		{Name: "max bytes zero", Args: []string{"--max-bytes", "0", q}, WantErr: "--max-bytes 0B is not from 1B to 1024GiB"},
		{Name: "max bytes not a size", Args: []string{"--max-bytes", "lots", q}, WantErr: `invalid argument "lots" for "--max-bytes" flag: not a size; give bytes, or a number with KiB, MiB or GiB`},
		{Name: "max bytes negative", Args: []string{"--max-bytes", "-1", q}, WantErr: `for "--max-bytes" flag: not a size`},
		{Name: "max bytes too large", Args: []string{"--max-bytes", "2048GiB", q}, WantErr: `for "--max-bytes" flag: not a size`},
		{Name: "max bytes in MB", Args: []string{"--max-bytes", "64MB", q}, WantErr: `for "--max-bytes" flag: not a size`},
		{Name: "max wait", Args: []string{"--max-wait", "90s", q}, Want: with(func(o *Options) { o.MaxWait = 90 * time.Second })},
		{Name: "max wait zero", Args: []string{"--max-wait", "0", q}, WantErr: "--max-wait 0s is not positive; give the longest wait"},
		{Name: "max wait negative", Args: []string{"--max-wait", "-1m", q}, WantErr: "--max-wait -1m0s is not positive"},
		{Name: "max wait not a duration", Args: []string{"--max-wait", "soon", q}, WantErr: `invalid argument "soon" for "--max-wait" flag`},
		{Name: "field without =", Args: []string{"-F", "abc", q}, WantErr: "-F takes name=value"},
		{Name: "field bad name", Args: []string{"-F", "1a=x", q}, WantErr: `-F "1a"`},
		{Name: "field with $", Args: []string{"-f", "$a=x", q}, WantErr: "without the $"},
		{Name: "field twice", Args: []string{"-f", "a=x", "-F", "a=1", q}, WantErr: "-F a= gives the variable a again (it was given with -f)"},
		{Name: "variables not an object", Args: []string{"--variables", "[1]", q}, WantErr: "--variables is not a JSON object; give one, e.g. --variables '{\"limit\": 10}', or @FILE"},
		{Name: "variables from a file", Args: []string{"--variables", "@vars.json", q}, Want: with(func(o *Options) { o.Variables = "@vars.json" })},
		{Name: "variables from stdin", Args: []string{"--variables", "@-", q}, Want: with(func(o *Options) { o.Variables = "@-" })},
		{Name: "variables bare @", Args: []string{"--variables", "@", q}, WantErr: "--variables @: give a file after the @ (or @- for stdin)"},
		{Name: "variables not json", Args: []string{"--variables", "{", q}, WantErr: "--variables is not a JSON object"},
		{Name: "variables bad name", Args: []string{"--variables", `{"a-b": 1}`, q}, WantErr: `--variables: "a-b" is not a GraphQL name`},
		{Name: "token as a flag", Args: []string{"--token", "x", q}, WantErr: "TRIBE_TOKEN"},
		{Name: "cache key as a flag", Args: []string{"--cache-key", "x", q}, WantErr: "unknown flag: --cache-key"},
	})
}

func TestVariables(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "body.txt")
	require.NoError(t, os.WriteFile(file, []byte("line 1\nline \"2\"\n"), 0o600))
	varsFile := filepath.Join(dir, "vars.json")
	require.NoError(t, os.WriteFile(varsFile, []byte(`{"limit": 10, "q": "x"}`+"\n"), 0o600))
	notObject := filepath.Join(dir, "list.json")
	require.NoError(t, os.WriteFile(notObject, []byte(`[1, 2]`), 0o600))
	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, []byte(" \n"), 0o600))
	tests := []struct {
		name      string
		stdin     string
		variables string
		raw       []string
		typed     []string
		want      string // the variables as JSON
		wantErr   string
	}{
		{name: "none", want: `{}`},
		{name: "typed", typed: []string{"t=true", "f=false", "n=null", "i=42", "neg=-7", "x=1.5e3", "s=hello", "zero=007", "e=", "eq=a=b", "sp= 1"},
			want: `{"e":"","eq":"a=b","f":false,"i":42,"n":null,"neg":-7,"s":"hello","sp":" 1","t":true,"x":1.5e3,"zero":"007"}`},
		{name: "raw strings", raw: []string{"t=true", "i=42", "at=@" + file}, want: `{"at":"@` + file + `","i":"42","t":"true"}`},
		{name: "file", typed: []string{"body=@" + file}, want: `{"body":"line 1\nline \"2\"\n"}`},
		{name: "stdin", stdin: "from stdin", typed: []string{"body=@-"}, want: `{"body":"from stdin"}`},
		{name: "variables merged, fields win", variables: `{"a": 1, "b": {"c": [1, 2.50]}, "d": "x"}`, raw: []string{"d=y"}, typed: []string{"a=2"},
			want: `{"a":2,"b":{"c":[1,2.50]},"d":"y"}`},
		{name: "variables from a file", variables: "@" + varsFile, typed: []string{"q=y"}, want: `{"limit":10,"q":"y"}`},
		{name: "variables from stdin", stdin: `{"a": [true]}`, variables: "@-", want: `{"a":[true]}`},
		{name: "variables file missing", variables: "@" + varsFile + "-nope", wantErr: "reading the variables: open " + varsFile + "-nope"},
		{name: "variables file not an object", variables: "@" + notObject, wantErr: "--variables @" + notObject + ": its content is not a JSON object"},
		{name: "variables file empty", variables: "@" + empty, wantErr: "--variables @" + empty + ": the file is empty"},
		{name: "variables stdin empty", variables: "@-", wantErr: "--variables @-: stdin is empty"},
		{name: "variables bare @", variables: "@", wantErr: "--variables @: give a file after the @"},
		{name: "variables and a field from stdin", stdin: "{}", variables: "@-", typed: []string{"b=@-"}, wantErr: "only one input can come from stdin (-), and it is already the variables"},
		{name: "missing file", typed: []string{"body=@" + file + "-nope"}, wantErr: "reading the value of -F body"},
		{name: "bare @", typed: []string{"body=@"}, wantErr: "give a file after the @"},
		{name: "two from stdin", stdin: "x", typed: []string{"a=@-", "b=@-"}, wantErr: "only one input can come from stdin"},
		{name: "twice in -F", typed: []string{"a=1", "a=2"}, wantErr: "gives the variable a again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := cmdtest.Factory(nil, tt.stdin)
			vars, err := Variables(f, tt.variables, tt.raw, tt.typed)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				var ue *cmdutil.UsageError
				assert.ErrorAs(t, err, &ue, "a usage error (exit 2)")
				return
			}
			require.NoError(t, err)
			b, err := json.Marshal(vars)
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(b))
			assert.Equal(t, tt.want, string(b), "numbers as written")
		})
	}
}

// processEnv, set in a test's child process, makes the test binary run
// tribe-token api with its arguments instead of the tests (see TestMain),
// so that a test can measure a real run from outside.
const processEnv = "TRIBEKIT_API_TEST_PROCESS"

func TestMain(m *testing.M) {
	if os.Getenv(processEnv) == "1" {
		f := cmdutil.New(os.Stdin, os.Stdout, os.Stderr, os.Getenv)
		os.Exit(cmdutil.Execute(context.Background(), f, newRoot(f), os.Args[1:]))
	}
	os.Exit(m.Run())
}

// newRoot is a command tree with api alone under a root that has
// --timeout, as tribe-token's has.
func newRoot(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{Use: cmdutil.ProgName}
	root.PersistentFlags().Duration("timeout", f.Timeout(), "give up after this long")
	root.AddCommand(NewCmdAPI(f, nil))
	return root
}

// graphQLServer answers each request with answer(n), n counting from 1,
// and counts the requests.
func graphQLServer(t *testing.T, answer func(n int, w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	return graphQLServerFor(t, "", answer)
}

// tokenServer is graphQLServer for runs with [tokenEnv]: every request
// must carry its token.
func tokenServer(t *testing.T, answer func(n int, w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	return graphQLServerFor(t, "Bearer tok-123", answer)
}

// graphQLServerFor is graphQLServer that reports, if auth is not empty,
// a request whose Authorization header is not auth.
func graphQLServerFor(t *testing.T, auth string, answer func(n int, w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		if got := r.Header.Get("Authorization"); auth != "" && got != auth {
			t.Errorf("Authorization %q", got)
		}
		w.Header().Set("Content-Type", "application/json")
		answer(int(n.Add(1)), w)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// tokenEnv runs against srv with a token of the test's.
func tokenEnv(srv *httptest.Server) map[string]string {
	return map[string]string{"TRIBE_TOKEN": "tok-123", "TRIBE_ENDPOINT": srv.URL + "/graphql"}
}

// TestAPIMaxWait: no wait before a rate-limited call is sent again is
// longer than --max-wait: a Retry-After over it ends the command at once,
// naming --max-wait, even with --timeout 0 (no overall limit); one within
// it is waited, with the line that says so; the wait api picks itself
// (the burst window) is shortened to it.
func TestAPIMaxWait(t *testing.T) {
	t.Parallel() // it mostly waits out rate limits
	limited := func(retryAfter string) func(int, http.ResponseWriter) {
		return func(n int, w http.ResponseWriter) {
			if n > 1 {
				_, _ = io.WriteString(w, `{"data":{"ok":true}}`)
				return
			}
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = io.WriteString(w, `{"errors":[{"message":"slow down"}]}`)
		}
	}
	tests := []struct {
		name       string
		retryAfter string
		args       []string
		wantCode   int
		wantStderr string
		wantCalls  int32
	}{
		{name: "a day's Retry-After, no overall limit", retryAfter: "86400", args: []string{"--timeout", "0"}, wantCode: cmdutil.ExitFailure,
			wantStderr: "the server asks to wait 1d before trying again, longer than --max-wait 5m; run it again later, or raise --max-wait", wantCalls: 1},
		{name: "past --max-wait", retryAfter: "3", args: []string{"--max-wait", "2s"}, wantCode: cmdutil.ExitFailure,
			wantStderr: "the server asks to wait 3s before trying again, longer than --max-wait 2s", wantCalls: 1},
		{name: "within --max-wait", retryAfter: "1", args: []string{"--max-wait", "2s"}, wantCode: cmdutil.ExitOK,
			wantStderr: cmdtest.WaitLine("rate limited (HTTP 429)", "1s", 2), wantCalls: 2},
		{name: "the burst window shortened", args: []string{"--max-wait", "20ms"}, wantCode: cmdutil.ExitOK,
			wantStderr: cmdtest.WaitLine("rate limited (HTTP 429)", "20ms", 2), wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := graphQLServer(t, limited(tt.retryAfter))
			r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, append(tt.args, "query Ping { ok }")...)
			assert.Equal(t, tt.wantCode, r.Code, r.Stderr)
			assert.Contains(t, r.Stderr, tt.wantStderr)
			assert.Equal(t, tt.wantCalls, n.Load())
			if tt.wantCode != cmdutil.ExitOK {
				assert.Empty(t, r.Stdout)
				assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
			}
		})
	}
}

func TestAPI(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.APIEnv(srv)
	dir := t.TempDir()
	idFile := filepath.Join(dir, "id.txt")
	require.NoError(t, os.WriteFile(idFile, []byte(tribetest.PlainMemberID), 0o600))
	queryFile := filepath.Join(dir, "q.graphql")
	require.NoError(t, os.WriteFile(queryFile, []byte(`query Who { authMember { id } }`), 0o600))

	t.Run("as the bot", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"query Me { authMember { id } network { id } }"}})
		cmdtest.RequireOK(t, r)
		d := cmdtest.DataOf(t, r.Stdout)
		assert.Equal(t, tribetest.DefaultNetworkID, cmdtest.Field(d, "network", "id"))
		assert.NotEqual(t, tribetest.PlainMemberID, cmdtest.Field(d, "authMember", "id"))
		assert.True(t, strings.HasPrefix(r.Stdout, "{\n  \"data\": {\n"), "indented: %s", r.Stdout)
	})
	t.Run("as a member", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--member", tribetest.PlainMemberID, "query Me { authMember { id } }"}})
		cmdtest.RequireOK(t, r)
		assert.Equal(t, tribetest.PlainMemberID, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "authMember", "id"))
	})
	t.Run("operation name is sent", func(t *testing.T) {
		srv.Reset()
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"@" + queryFile}})
		cmdtest.RequireOK(t, r)
		var names []string
		for _, req := range srv.Requests() {
			names = append(names, req.OperationName)
		}
		assert.Contains(t, names, "Who")
	})
	t.Run("query on stdin", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Stdin: "{ network { id } }", Args: []string{"-"}})
		cmdtest.RequireOK(t, r)
		assert.Equal(t, tribetest.DefaultNetworkID, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "network", "id"))
	})
	t.Run("typed variables", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"-F", "limit=2", "-F", "reverse=true", "-f", "q=a", "query M($limit: Int!, $reverse: Boolean, $q: String) { members(limit: $limit, reverse: $reverse, query: $q) { nodes { id } } }"}})
		cmdtest.RequireOK(t, r)
		nodes, _ := cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "members", "nodes").([]any)
		assert.Len(t, nodes, 2)
	})
	t.Run("a variable from a file", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"-F", "id=@" + idFile, "query M($id: ID) { member(id: $id) { id name } }"}})
		cmdtest.RequireOK(t, r)
		assert.Equal(t, tribetest.PlainMemberID, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "member", "id"))
	})
	t.Run("--variables, -F wins", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--variables", `{"limit": 3, "offset": 0}`, "-F", "limit=1", "query M($limit: Int!, $offset: Int) { members(limit: $limit, offset: $offset) { nodes { id } } }"}})
		cmdtest.RequireOK(t, r)
		nodes, _ := cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "members", "nodes").([]any)
		assert.Len(t, nodes, 1)
	})
	t.Run("TRIBE_TOKEN", func(t *testing.T) {
		tok, err := srv.MintToken(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
		require.NoError(t, err)
		srv.Reset()
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.GraphQLURL()}, Args: []string{"{ authMember { id } }"}})
		cmdtest.RequireOK(t, r)
		assert.Equal(t, tribetest.PlainMemberID, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "authMember", "id"))
		assert.Zero(t, srv.Count("limitedToken"), "no mint")
		assert.NotContains(t, r.Stdout, tok)
	})
	t.Run("GraphQL errors go to stderr, exit 1", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{`{ member(id: "mem-nobody") { id } }`}})
		cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "(code 110)", "at member")
	})
	t.Run("a query that does not parse is not sent", func(t *testing.T) {
		srv.Reset()
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"{ authMember { id }"}})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "the query does not parse", "api --help")
		assert.Empty(t, srv.Requests())
	})
	t.Run("two operations", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"query A { network { id } } query B { network { id } }"}})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "has 2 operations")
	})
	t.Run("no credentials", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: cmdtest.AppEnv(srv), Args: []string{"{ network { id } }"}})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "no credentials", "--network", "TRIBE_TOKEN")
	})
}

func TestAPIPaginate(t *testing.T) {
	srv := cmdtest.NewMock(t)
	env := cmdtest.APIEnv(srv)
	const members = `query Members($after: String, $limit: Int!) { members(limit: $limit, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`
	t.Run("every page, merged", func(t *testing.T) {
		srv.Reset()
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--paginate", "-F", "limit=1", members}})
		cmdtest.RequireOK(t, r)
		d := cmdtest.DataOf(t, r.Stdout)
		nodes, _ := cmdtest.Field(d, "members", "nodes").([]any)
		total, _ := cmdtest.Field(d, "members", "totalCount").(float64)
		require.Greater(t, total, 1.0)
		assert.Len(t, nodes, int(total))
		seen := map[any]bool{}
		for _, n := range nodes {
			seen[cmdtest.Field(n, "id")] = true
		}
		assert.Len(t, seen, int(total), "no member twice")
		assert.Equal(t, false, cmdtest.Field(d, "members", "pageInfo", "hasNextPage"))
		assert.Equal(t, int(total), srv.Count("Members"), "one request a page")
	})
	t.Run("bounded by --max-pages", func(t *testing.T) {
		srv.Reset()
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--paginate", "--max-pages", "2", "-F", "limit=1", members}})
		require.Equal(t, cmdutil.ExitFailure, r.Code, r.Stderr)
		assert.Contains(t, r.Stderr, "stopped after --max-pages 2 pages of members")
		nodes, _ := cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "members", "nodes").([]any)
		assert.Len(t, nodes, 2)
		assert.Equal(t, 2, srv.Count("Members"))
	})
	t.Run("edges too", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--paginate", "-F", "limit=3", `query($after: String, $limit: Int!) { members(limit: $limit, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`}})
		cmdtest.RequireOK(t, r)
		edges, _ := cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "members", "edges").([]any)
		assert.Greater(t, len(edges), 3)
	})
	t.Run("needs $after", func(t *testing.T) {
		srv.Reset()
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--paginate", `{ members(limit: 1) { nodes { id } pageInfo { hasNextPage endCursor } } }`}})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "--paginate needs the query to declare $after")
		assert.Empty(t, srv.Requests())
	})
	t.Run("needs pageInfo", func(t *testing.T) {
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--paginate", `query($after: String) { members(limit: 1, after: $after) { nodes { id } } }`}})
		cmdtest.RequireFail(t, r, cmdutil.ExitUsage, "found no connection", "pageInfo { hasNextPage endCursor }")
	})
}

// TestAPIMutation runs a mutation on a mock serving a schema with one.
func TestAPIMutation(t *testing.T) {
	s, err := schema.Load("mutations.graphql", []byte(tribekit.Schema()+`
extend schema { mutation: Mutation }
type Mutation { updateMemberName(id: ID!, name: String!): Member! }
`))
	require.NoError(t, err)
	srv := cmdtest.NewMock(t, tribetest.WithSchema(s))
	var got atomic.Value
	require.NoError(t, srv.Resolve("Mutation", "updateMemberName", func(_ tribetest.ResolveContext, args map[string]any) (any, error) {
		got.Store(args["name"])
		return map[string]any{"id": args["id"], "name": args["name"]}, nil
	}))
	r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: cmdtest.APIEnv(srv), Args: []string{"-F", "id=" + tribetest.PlainMemberID, "-f", "name=Carol C.", `mutation Rename($id: ID!, $name: String!) { updateMemberName(id: $id, name: $name) { id name } }`}})
	cmdtest.RequireOK(t, r)
	d := cmdtest.DataOf(t, r.Stdout)
	assert.Equal(t, tribetest.PlainMemberID, cmdtest.Field(d, "updateMemberName", "id"))
	assert.Equal(t, "Carol C.", got.Load())
	assert.Equal(t, 1, srv.Count("Rename"))
}

func TestAPIVerboseComplexity(t *testing.T) {
	srv, _ := tokenServer(t, func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":{"spaces":{"totalCount":3}},"extensions":{"complexity":42}}`)
	})
	r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"--verbose", "query ListSpaces { spaces { totalCount } }"}})
	require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
	assert.Equal(t, "tribe-token: complexity 42 (ListSpaces)\n", r.Stderr)
	assert.Equal(t, 3.0, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "spaces", "totalCount"))

	r = cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"query ListSpaces { spaces { totalCount } }"}})
	cmdtest.RequireOK(t, r)
}

func TestAPIDataAndErrors(t *testing.T) {
	srv, _ := tokenServer(t, func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":{"a":1,"b":null,"c":"x\u202ey\u001b"},"errors":[{"message":"b failed","path":["b"],"code":"110"},{"message":"and \u001b[31mred"}]}`)
	})
	r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"{ a b }"}})
	require.Equal(t, cmdutil.ExitFailure, r.Code)
	assert.Equal(t, 1.0, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "a"), "the data is printed")
	assert.Equal(t, "x\u202ey\u001b", cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "c"))
	assert.Contains(t, r.Stdout, `"x\u202ey\u001b"`, "inert")
	lines := strings.Split(strings.TrimSuffix(r.Stderr, "\n"), "\n")
	require.Len(t, lines, 2, r.Stderr)
	assert.Equal(t, "tribe-token: b failed (code 110) at b", lines[0])
	assert.Equal(t, `tribe-token: and \x1b[31mred`, lines[1], "inert")
}

func TestAPIRateLimited(t *testing.T) {
	t.Parallel() // it mostly waits out rate limits
	limited := func(w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":null,"errors":[{"message":"Too many requests","code":"104"}]}`)
	}
	t.Run("waits and sends again", func(t *testing.T) {
		srv, n := tokenServer(t, func(n int, w http.ResponseWriter) {
			if n <= 2 {
				limited(w)
				return
			}
			_, _ = io.WriteString(w, `{"data":{"ok":true}}`)
		})
		start := time.Now()
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"query Ping { ok }"}, Hook: func(f *cmdutil.Factory) { f.RateLimitWait = 20 * time.Millisecond }})
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Equal(t, cmdtest.WaitLine("rate limited (code 104)", "20ms", 2)+cmdtest.WaitLine("rate limited (code 104)", "20ms", 3), r.Stderr)
		assert.Equal(t, true, cmdtest.Field(cmdtest.DataOf(t, r.Stdout), "ok"))
		assert.Equal(t, int32(3), n.Load())
		assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond, "it waited")
	})
	t.Run("honours Retry-After", func(t *testing.T) {
		srv, n := tokenServer(t, func(n int, w http.ResponseWriter) {
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, `{"errors":[{"message":"slow down"}]}`)
				return
			}
			_, _ = io.WriteString(w, `{"data":{"ok":true}}`)
		})
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"{ ok }"}, Hook: func(f *cmdutil.Factory) { f.RateLimitWait = time.Millisecond }})
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Equal(t, cmdtest.WaitLine("rate limited (HTTP 429)", "1s", 2), r.Stderr)
		assert.Equal(t, int32(2), n.Load())
	})
	t.Run("gives up after the last try", func(t *testing.T) {
		srv, n := tokenServer(t, func(_ int, w http.ResponseWriter) { limited(w) })
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"{ ok }"}, Hook: func(f *cmdutil.Factory) { f.RateLimitWait = time.Millisecond }})
		require.Equal(t, cmdutil.ExitFailure, r.Code)
		lines := strings.Split(strings.TrimSuffix(r.Stderr, "\n"), "\n")
		require.Len(t, lines, 4, r.Stderr)
		assert.Contains(t, lines[3], "rate limited")
		assert.Contains(t, lines[3], "still failing after 4 tries; run it again later")
		assert.Equal(t, int32(4), n.Load())
		assert.Empty(t, r.Stdout)
	})
	t.Run("not past --timeout", func(t *testing.T) {
		srv, n := tokenServer(t, func(_ int, w http.ResponseWriter) { limited(w) })
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"--timeout", "2s", "{ ok }"}, Hook: func(f *cmdutil.Factory) { f.RateLimitWait = time.Minute }})
		cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "rate limited", "would pass --timeout")
		assert.Equal(t, int32(1), n.Load())
	})
	t.Run("--no-retry", func(t *testing.T) {
		srv, n := tokenServer(t, func(_ int, w http.ResponseWriter) { limited(w) })
		r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"--no-retry", "{ ok }"}, Hook: func(f *cmdutil.Factory) { f.RateLimitWait = time.Millisecond }})
		cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "rate limited (code 104); run it again in", "leave out --no-retry")
		assert.Equal(t, int32(1), n.Load())
	})
}

// TestAPIDataEchoingTheToken: a server that puts the token it was sent in
// the data does not get it printed; the rest of the data is.
func TestAPIDataEchoingTheToken(t *testing.T) {
	srv, _ := tokenServer(t, func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":{"echo":"you sent tok-123","b64":"`+base64.StdEncoding.EncodeToString([]byte("Bearer tok-123"))+`","other":"eyJhbGciOiJub25lIn0.e30.x"}}`)
	})
	r := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: tokenEnv(srv), Args: []string{"{ echo b64 other }"}})
	cmdtest.RequireOK(t, r)
	for _, form := range testenv.SecretForms("tok-123") {
		assert.NotContains(t, r.Stdout, form)
	}
	d := cmdtest.DataOf(t, r.Stdout)
	assert.Equal(t, "you sent [REDACTED]", cmdtest.Field(d, "echo"))
	assert.Equal(t, "eyJhbGciOiJub25lIn0.e30.x", cmdtest.Field(d, "other"), "data that only looks like a credential is the data asked for")
}

// TestAPIAgainstARateLimitedMock: with the mock enforcing one request per
// 3 s window, a call in the same window is refused with 104; with
// --no-retry that is the answer, and without, api waits for the window's
// end, says so on stderr, and succeeds; --verbose prints the complexity
// the mock reports.
func TestAPIAgainstARateLimitedMock(t *testing.T) {
	t.Parallel() // it mostly waits out rate limits
	const window = 3 * time.Second
	srv := cmdtest.NewMock(t, tribetest.WithRateLimits(tribetest.RateLimits{Requests: 1, Window: window}))
	env := cmdtest.APIEnv(srv)
	q := "query Me { authMember { id role { scopes } } }"
	// Start at the beginning of one of the mock's windows (they are aligned
	// on the epoch), so that the calls below fall in the same one.
	time.Sleep(time.Until(time.Now().Truncate(window).Add(window + 10*time.Millisecond)))

	first := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--verbose", "--member", tribetest.PlainMemberID, q}})
	require.Equal(t, cmdutil.ExitOK, first.Code, first.Stderr)
	assert.Contains(t, first.Stderr, "complexity 3 (Me)", "authMember 1 + role (1 + scopes 1)")

	refused := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--no-retry", "--member", tribetest.PlainMemberID, q}})
	assert.Equal(t, cmdutil.ExitFailure, refused.Code)
	assert.Contains(t, refused.Stderr, "Me: rate limited (code 104); run it again in")

	retried := cmdtest.Run(t, NewCmdAPI, cmdtest.Invocation{Env: env, Args: []string{"--member", tribetest.PlainMemberID, q}})
	require.Equal(t, cmdutil.ExitOK, retried.Code, retried.Stderr)
	assert.Regexp(t, `tribe-token: rate limited \(code 104\); waiting [1-3]s before trying again \(try 2 of 4\)`, retried.Stderr)
	assert.Equal(t, tribetest.PlainMemberID, cmdtest.Field(cmdtest.DataOf(t, retried.Stdout), "authMember", "id"))
}
