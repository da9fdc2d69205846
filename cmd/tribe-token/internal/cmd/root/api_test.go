package root

import (
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	tribekit "github.com/tribekit/tribekit"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/schema"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// apiEnv is the environment of the mock's default app and community.
func apiEnv(srv *tribetest.Server) map[string]string {
	return with(appEnv(srv), "TRIBE_NETWORK_ID", tribetest.DefaultNetworkID)
}

// dataOf decodes api's output, {"data": ...}.
func dataOf(t *testing.T, stdout string) map[string]any {
	t.Helper()
	var out struct {
		Data map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	return out.Data
}

// field walks decoded JSON through keys and indexes.
func field(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func TestAPI(t *testing.T) {
	srv := newMock(t)
	env := apiEnv(srv)
	dir := t.TempDir()
	idFile := filepath.Join(dir, "id.txt")
	require.NoError(t, os.WriteFile(idFile, []byte(tribetest.PlainMemberID), 0o600))
	queryFile := filepath.Join(dir, "q.graphql")
	require.NoError(t, os.WriteFile(queryFile, []byte(`query Who { authMember { id } }`), 0o600))

	t.Run("as the bot", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", "query Me { authMember { id } network { id } }")})
		requireOK(t, r)
		d := dataOf(t, r.stdout)
		assert.Equal(t, tribetest.DefaultNetworkID, field(d, "network", "id"))
		assert.NotEqual(t, tribetest.PlainMemberID, field(d, "authMember", "id"))
		assert.True(t, strings.HasPrefix(r.stdout, "{\n  \"data\": {\n"), "indented: %s", r.stdout)
	})
	t.Run("as a member", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", "--member", tribetest.PlainMemberID, "query Me { authMember { id } }")})
		requireOK(t, r)
		assert.Equal(t, tribetest.PlainMemberID, field(dataOf(t, r.stdout), "authMember", "id"))
	})
	t.Run("operation name is sent", func(t *testing.T) {
		srv.Reset()
		r := run(t, invocation{env: env, args: args("api", "@"+queryFile)})
		requireOK(t, r)
		var names []string
		for _, req := range srv.Requests() {
			names = append(names, req.OperationName)
		}
		assert.Contains(t, names, "Who")
	})
	t.Run("query on stdin", func(t *testing.T) {
		r := run(t, invocation{env: env, stdin: "{ network { id } }", args: args("api", "-")})
		requireOK(t, r)
		assert.Equal(t, tribetest.DefaultNetworkID, field(dataOf(t, r.stdout), "network", "id"))
	})
	t.Run("typed variables", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", "-F", "limit=2", "-F", "reverse=true", "-f", "q=a",
			"query M($limit: Int!, $reverse: Boolean, $q: String) { members(limit: $limit, reverse: $reverse, query: $q) { nodes { id } } }")})
		requireOK(t, r)
		nodes, _ := field(dataOf(t, r.stdout), "members", "nodes").([]any)
		assert.Len(t, nodes, 2)
	})
	t.Run("a variable from a file", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", "-F", "id=@"+idFile, "query M($id: ID) { member(id: $id) { id name } }")})
		requireOK(t, r)
		assert.Equal(t, tribetest.PlainMemberID, field(dataOf(t, r.stdout), "member", "id"))
	})
	t.Run("--variables, -F wins", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", "--variables", `{"limit": 3, "offset": 0}`, "-F", "limit=1",
			"query M($limit: Int!, $offset: Int) { members(limit: $limit, offset: $offset) { nodes { id } } }")})
		requireOK(t, r)
		nodes, _ := field(dataOf(t, r.stdout), "members", "nodes").([]any)
		assert.Len(t, nodes, 1)
	})
	t.Run("TRIBE_TOKEN", func(t *testing.T) {
		tok, err := srv.MintToken(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
		require.NoError(t, err)
		srv.Reset()
		r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.GraphQLURL()}, args: args("api", "{ authMember { id } }")})
		requireOK(t, r)
		assert.Equal(t, tribetest.PlainMemberID, field(dataOf(t, r.stdout), "authMember", "id"))
		assert.Zero(t, srv.Count("limitedToken"), "no mint")
		assert.NotContains(t, r.stdout, tok)
	})
	t.Run("GraphQL errors go to stderr, exit 1", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", `{ member(id: "mem-nobody") { id } }`)})
		requireFail(t, r, ExitFailure, "(code 110)", "at member")
	})
	t.Run("a query that does not parse is not sent", func(t *testing.T) {
		srv.Reset()
		r := run(t, invocation{env: env, args: args("api", "{ authMember { id }")})
		requireFail(t, r, ExitUsage, "the query does not parse", "api --help")
		assert.Empty(t, srv.Requests())
	})
	t.Run("two operations", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", "query A { network { id } } query B { network { id } }")})
		requireFail(t, r, ExitUsage, "has 2 operations")
	})
	t.Run("no credentials", func(t *testing.T) {
		r := run(t, invocation{env: appEnv(srv), args: args("api", "{ network { id } }")})
		requireFail(t, r, ExitUsage, "no credentials", "--network", "TRIBE_TOKEN")
	})
}

func TestAPIPaginate(t *testing.T) {
	srv := newMock(t)
	env := apiEnv(srv)
	const members = `query Members($after: String, $limit: Int!) { members(limit: $limit, after: $after) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`
	t.Run("every page, merged", func(t *testing.T) {
		srv.Reset()
		r := run(t, invocation{env: env, args: args("api", "--paginate", "-F", "limit=1", members)})
		requireOK(t, r)
		d := dataOf(t, r.stdout)
		nodes, _ := field(d, "members", "nodes").([]any)
		total, _ := field(d, "members", "totalCount").(float64)
		require.Greater(t, total, 1.0)
		assert.Len(t, nodes, int(total))
		seen := map[any]bool{}
		for _, n := range nodes {
			seen[field(n, "id")] = true
		}
		assert.Len(t, seen, int(total), "no member twice")
		assert.Equal(t, false, field(d, "members", "pageInfo", "hasNextPage"))
		assert.Equal(t, int(total), srv.Count("Members"), "one request a page")
	})
	t.Run("bounded by --max-pages", func(t *testing.T) {
		srv.Reset()
		r := run(t, invocation{env: env, args: args("api", "--paginate", "--max-pages", "2", "-F", "limit=1", members)})
		require.Equal(t, ExitFailure, r.code, r.stderr)
		assert.Contains(t, r.stderr, "stopped after --max-pages 2 pages of members")
		nodes, _ := field(dataOf(t, r.stdout), "members", "nodes").([]any)
		assert.Len(t, nodes, 2)
		assert.Equal(t, 2, srv.Count("Members"))
	})
	t.Run("edges too", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", "--paginate", "-F", "limit=3", `query($after: String, $limit: Int!) { members(limit: $limit, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`)})
		requireOK(t, r)
		edges, _ := field(dataOf(t, r.stdout), "members", "edges").([]any)
		assert.Greater(t, len(edges), 3)
	})
	t.Run("needs $after", func(t *testing.T) {
		srv.Reset()
		r := run(t, invocation{env: env, args: args("api", "--paginate", `{ members(limit: 1) { nodes { id } pageInfo { hasNextPage endCursor } } }`)})
		requireFail(t, r, ExitUsage, "--paginate needs the query to declare $after")
		assert.Empty(t, srv.Requests())
	})
	t.Run("needs pageInfo", func(t *testing.T) {
		r := run(t, invocation{env: env, args: args("api", "--paginate", `query($after: String) { members(limit: 1, after: $after) { nodes { id } } }`)})
		requireFail(t, r, ExitUsage, "found no connection", "pageInfo { hasNextPage endCursor }")
	})
}

// TestAPIMutation runs a mutation on a mock serving a schema with one.
func TestAPIMutation(t *testing.T) {
	s, err := schema.Load("mutations.graphql", []byte(tribekit.Schema()+`
extend schema { mutation: Mutation }
type Mutation { updateMemberName(id: ID!, name: String!): Member! }
`))
	require.NoError(t, err)
	srv := newMock(t, tribetest.WithSchema(s))
	var got atomic.Value
	require.NoError(t, srv.Resolve("Mutation", "updateMemberName", func(_ tribetest.ResolveContext, args map[string]any) (any, error) {
		got.Store(args["name"])
		return map[string]any{"id": args["id"], "name": args["name"]}, nil
	}))
	r := run(t, invocation{env: apiEnv(srv), args: args("api", "-F", "id="+tribetest.PlainMemberID, "-f", "name=Carol C.",
		`mutation Rename($id: ID!, $name: String!) { updateMemberName(id: $id, name: $name) { id name } }`)})
	requireOK(t, r)
	d := dataOf(t, r.stdout)
	assert.Equal(t, tribetest.PlainMemberID, field(d, "updateMemberName", "id"))
	assert.Equal(t, "Carol C.", got.Load())
	assert.Equal(t, 1, srv.Count("Rename"))
}

// graphQLServer answers each GraphQL request with answer(n), n counting
// from 1, and counts the requests.
func graphQLServer(t *testing.T, answer func(n int, w http.ResponseWriter)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		if got := r.Header.Get("Authorization"); got != "Bearer tok-123" {
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

func TestAPIVerboseComplexity(t *testing.T) {
	srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":{"spaces":{"totalCount":3}},"extensions":{"complexity":42}}`)
	})
	r := run(t, invocation{env: tokenEnv(srv), args: args("api", "--verbose", "query ListSpaces { spaces { totalCount } }")})
	require.Equal(t, ExitOK, r.code, r.stderr)
	assert.Equal(t, "tribe-token: complexity 42 (ListSpaces)\n", r.stderr)
	assert.Equal(t, 3.0, field(dataOf(t, r.stdout), "spaces", "totalCount"))

	r = run(t, invocation{env: tokenEnv(srv), args: args("api", "query ListSpaces { spaces { totalCount } }")})
	requireOK(t, r)
}

func TestAPIDataAndErrors(t *testing.T) {
	srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":{"a":1,"b":null,"c":"x\u202ey\u001b"},"errors":[{"message":"b failed","path":["b"],"code":"110"},{"message":"and \u001b[31mred"}]}`)
	})
	r := run(t, invocation{env: tokenEnv(srv), args: args("api", "{ a b }")})
	require.Equal(t, ExitFailure, r.code)
	assert.Equal(t, 1.0, field(dataOf(t, r.stdout), "a"), "the data is printed")
	assert.Equal(t, "x\u202ey\u001b", field(dataOf(t, r.stdout), "c"))
	assert.Contains(t, r.stdout, `"x\u202ey\u001b"`, "inert")
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	require.Len(t, lines, 2, r.stderr)
	assert.Equal(t, "tribe-token: b failed (code 110) at b", lines[0])
	assert.Equal(t, `tribe-token: and \x1b[31mred`, lines[1], "inert")
}

func TestAPIRateLimited(t *testing.T) {
	limited := func(w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":null,"errors":[{"message":"Too many requests","code":"104"}]}`)
	}
	t.Run("waits and sends again", func(t *testing.T) {
		srv, n := graphQLServer(t, func(n int, w http.ResponseWriter) {
			if n <= 2 {
				limited(w)
				return
			}
			_, _ = io.WriteString(w, `{"data":{"ok":true}}`)
		})
		start := time.Now()
		r := runHooked(t, invocation{env: tokenEnv(srv), args: args("api", "query Ping { ok }")}, func(f *cmdutil.Factory) { f.RateLimitWait = 20 * time.Millisecond })
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Equal(t, "tribe-token: rate limited; retrying in 20ms (attempt 2 of 4)\ntribe-token: rate limited; retrying in 20ms (attempt 3 of 4)\n", r.stderr)
		assert.Equal(t, true, field(dataOf(t, r.stdout), "ok"))
		assert.Equal(t, int32(3), n.Load())
		assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond, "it waited")
	})
	t.Run("honours Retry-After", func(t *testing.T) {
		srv, n := graphQLServer(t, func(n int, w http.ResponseWriter) {
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, `{"errors":[{"message":"slow down"}]}`)
				return
			}
			_, _ = io.WriteString(w, `{"data":{"ok":true}}`)
		})
		r := runHooked(t, invocation{env: tokenEnv(srv), args: args("api", "{ ok }")}, func(f *cmdutil.Factory) { f.RateLimitWait = time.Millisecond })
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Equal(t, "tribe-token: rate limited; retrying in 1s (attempt 2 of 4)\n", r.stderr)
		assert.Equal(t, int32(2), n.Load())
	})
	t.Run("gives up after the last try", func(t *testing.T) {
		srv, n := graphQLServer(t, func(_ int, w http.ResponseWriter) { limited(w) })
		r := runHooked(t, invocation{env: tokenEnv(srv), args: args("api", "{ ok }")}, func(f *cmdutil.Factory) { f.RateLimitWait = time.Millisecond })
		require.Equal(t, ExitFailure, r.code)
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		require.Len(t, lines, 4, r.stderr)
		assert.Contains(t, lines[3], "rate limited")
		assert.Contains(t, lines[3], "still rate limited after 4 tries")
		assert.Equal(t, int32(4), n.Load())
		assert.Empty(t, r.stdout)
	})
	t.Run("not past --timeout", func(t *testing.T) {
		srv, n := graphQLServer(t, func(_ int, w http.ResponseWriter) { limited(w) })
		r := runHooked(t, invocation{env: tokenEnv(srv), args: args("api", "--timeout", "2s", "{ ok }")}, func(f *cmdutil.Factory) { f.RateLimitWait = time.Minute })
		requireFail(t, r, ExitFailure, "rate limited", "would pass --timeout")
		assert.Equal(t, int32(1), n.Load())
	})
	t.Run("--no-retry", func(t *testing.T) {
		srv, n := graphQLServer(t, func(_ int, w http.ResponseWriter) { limited(w) })
		r := runHooked(t, invocation{env: tokenEnv(srv), args: args("api", "--no-retry", "{ ok }")}, func(f *cmdutil.Factory) { f.RateLimitWait = time.Millisecond })
		requireFail(t, r, ExitFailure, "rate limited (code 104); run it again in", "leave out --no-retry")
		assert.Equal(t, int32(1), n.Load())
	})
}

func TestSchemaPull(t *testing.T) {
	srv := newMock(t)
	served, err := schema.Load("schema.graphql", []byte(tribekit.Schema()))
	require.NoError(t, err)
	want := schema.Format(served)
	require.NotEmpty(t, want)

	t.Run("bot token to stdout", func(t *testing.T) {
		srv.Reset()
		r := run(t, invocation{env: apiEnv(srv), args: args("schema", "pull")})
		requireOK(t, r)
		assert.Equal(t, want, r.stdout)
		assert.Equal(t, 1, srv.Count("limitedToken"))
	})
	t.Run("TRIBE_TOKEN to a file", func(t *testing.T) {
		tok, err := srv.MintToken(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
		require.NoError(t, err)
		out := filepath.Join(t.TempDir(), "sub", "schema.graphql")
		r := run(t, invocation{env: map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.GraphQLURL()}, args: args("schema", "pull", "--file", out)})
		requireOK(t, r)
		assert.Empty(t, r.stdout)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
		st, err := os.Stat(out)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	})
	t.Run("the same twice", func(t *testing.T) {
		a := run(t, invocation{env: apiEnv(srv), args: args("schema", "pull")})
		b := run(t, invocation{env: apiEnv(srv), args: args("schema", "pull")})
		requireOK(t, a)
		assert.Equal(t, a.stdout, b.stdout)
	})
	t.Run("no credentials", func(t *testing.T) {
		r := run(t, invocation{env: appEnv(srv), args: args("schema", "pull")})
		requireFail(t, r, ExitUsage, "no credentials", "--network", "TRIBE_TOKEN", "--anonymous")
	})
	t.Run("anonymous", func(t *testing.T) {
		srv.Reset()
		// The mock answers introspection without a token.
		r := run(t, invocation{env: appEnv(srv), args: args("schema", "pull", "--anonymous")})
		requireOK(t, r)
		assert.Equal(t, want, r.stdout)
		assert.Zero(t, srv.Count("limitedToken"))
	})
	t.Run("anonymous refused", func(t *testing.T) {
		anon, n := graphQLServerAnon(t)
		r := run(t, invocation{args: args("schema", "pull", "--anonymous", "--endpoint", anon.URL)})
		requireFail(t, r, ExitFailure, "introspection refused here")
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

// TestAPIDataEchoingTheToken: a server that puts the token it was sent in
// the data does not get it printed; the rest of the data is.
func TestAPIDataEchoingTheToken(t *testing.T) {
	srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":{"echo":"you sent tok-123","b64":"`+base64.StdEncoding.EncodeToString([]byte("Bearer tok-123"))+`","other":"eyJhbGciOiJub25lIn0.e30.x"}}`)
	})
	r := run(t, invocation{env: tokenEnv(srv), args: args("api", "{ echo b64 other }")})
	requireOK(t, r)
	for _, form := range testenv.SecretForms("tok-123") {
		assert.NotContains(t, r.stdout, form)
	}
	d := dataOf(t, r.stdout)
	assert.Equal(t, "you sent [REDACTED]", field(d, "echo"))
	assert.Equal(t, "eyJhbGciOiJub25lIn0.e30.x", field(d, "other"), "data that only looks like a credential is the data asked for")
}

// TestAPIAgainstARateLimitedMock: with the mock enforcing one request per
// 3 s window, a call in the same window is refused with 104; with
// --no-retry that is the answer, and without, api waits for the window's
// end, says so on stderr, and succeeds; --verbose prints the complexity
// the mock reports.
func TestAPIAgainstARateLimitedMock(t *testing.T) {
	const window = 3 * time.Second
	srv := newMock(t, tribetest.WithRateLimits(tribetest.RateLimits{Requests: 1, Window: window}))
	env := apiEnv(srv)
	q := "query Me { authMember { id role { scopes } } }"
	// Start at the beginning of one of the mock's windows (they are aligned
	// on the epoch), so that the calls below fall in the same one.
	time.Sleep(time.Until(time.Now().Truncate(window).Add(window + 10*time.Millisecond)))

	first := run(t, invocation{env: env, args: args("api", "--verbose", "--member", tribetest.PlainMemberID, q)})
	require.Equal(t, ExitOK, first.code, first.stderr)
	assert.Contains(t, first.stderr, "complexity 3 (Me)", "authMember 1 + role (1 + scopes 1)")

	refused := run(t, invocation{env: env, args: args("api", "--no-retry", "--member", tribetest.PlainMemberID, q)})
	assert.Equal(t, ExitFailure, refused.code)
	assert.Contains(t, refused.stderr, "Me: rate limited (code 104); run it again in")

	retried := run(t, invocation{env: env, args: args("api", "--member", tribetest.PlainMemberID, q)})
	require.Equal(t, ExitOK, retried.code, retried.stderr)
	assert.Regexp(t, `tribe-token: rate limited; retrying in [1-3]s \(attempt 2 of 4\)`, retried.stderr)
	assert.Equal(t, tribetest.PlainMemberID, field(dataOf(t, retried.stdout), "authMember", "id"))
}
