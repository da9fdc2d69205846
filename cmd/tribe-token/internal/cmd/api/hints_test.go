package api

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestCheckVariables(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		raw      []string
		typed    []string
		paginate bool
		wantErr  string // "" for none
	}{
		{name: "given with -F", query: "query($limit: Int!) { a }", typed: []string{"limit=2"}},
		{name: "-f for an Int!", query: "query($limit: Int!) { a }", raw: []string{"limit=2"},
			wantErr: "-f limit= sends $limit as a string, but the query declares it Int!; use -F for typed values: -F limit=VALUE"},
		{name: "-f for a Boolean", query: "query($r: Boolean) { a }", raw: []string{"r=true"}, wantErr: "the query declares it Boolean; use -F"},
		{name: "-f for a list of Float", query: "query($xs: [Float!]) { a }", raw: []string{"xs=1"}, wantErr: "the query declares it [Float!]; use -F"},
		{name: "-f for a String", query: "query($q: String!) { a }", raw: []string{"q=2"}},
		{name: "-f for an ID", query: "query($id: ID!) { a }", raw: []string{"id=2"}},
		{name: "-f for an enum or a custom scalar", query: "query($s: Status!, $d: DateTime) { a }", raw: []string{"s=PUBLISHED", "d=2026-01-01"}},
		{name: "missing, an Int", query: "query($limit: Int!) { a }",
			wantErr: "the query needs $limit (Int!), and no -F, -f or --variables gives it; pass it with -F limit=VALUE"},
		{name: "missing, an ID", query: "query($id: ID!) { a }", wantErr: "the query needs $id (ID!), and no -F, -f or --variables gives it; pass it with -f id=VALUE"},
		{name: "missing, a list", query: "query($ids: [ID!]!) { a }", wantErr: `pass it with -F ids=VALUE with a JSON list, or --variables '{"ids": [...]}'`},
		{name: "missing but nullable", query: "query($limit: Int) { a }"},
		{name: "missing with a default", query: "query($limit: Int! = 10) { a }"},
		{name: "$after with --paginate", query: "query($after: String) { a }", paginate: true},
		{name: "$after String! with --paginate", query: "query($after: String!) { a }", paginate: true,
			wantErr: "the query declares $after String!, but --paginate sends no cursor for the first page; declare it $after: String (nullable)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := cmdtest.Factory(nil, "")
			op, err := loadQuery(f, tt.query)
			require.NoError(t, err)
			opts := &Options{Factory: f, Raw: tt.raw, Typed: tt.typed, Paginate: tt.paginate}
			vars, err := Variables(f, "", tt.raw, tt.typed)
			require.NoError(t, err)
			err = checkVariables(op, vars, opts)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			var ue *cmdutil.UsageError
			assert.ErrorAs(t, err, &ue, "a usage error (exit 2)")
		})
	}
}

// TestAPIVariableHints: a variable given the wrong way or not at all is
// explained, naming the variable and the flag to give it with: before
// anything is sent when the query's definitions tell, else on the line
// of the server's error. No advice about the endpoint comes with it.
func TestAPIVariableHints(t *testing.T) {
	t.Run("against the mock, before sending", func(t *testing.T) {
		srv := tribetest.NewServer()
		t.Cleanup(srv.Close)
		const q = "query M($limit: Int!) { members(limit: $limit) { nodes { id } } }"
		for _, tt := range []struct {
			args []string
			want string
		}{
			{[]string{"-f", "limit=2", q}, "tribe-token: -f limit= sends $limit as a string, but the query declares it Int!; use -F for typed values: -F limit=VALUE"},
			{[]string{q}, "tribe-token: the query needs $limit (Int!), and no -F, -f or --variables gives it; pass it with -F limit=VALUE"},
		} {
			r := cmdtest.Exec(t.Context(), cmdtest.APIEnv(srv), nil, NewCmdAPI, tt.args...)
			assert.Equal(t, cmdutil.ExitUsage, r.Code)
			assert.True(t, strings.HasPrefix(r.Stderr, tt.want), r.Stderr)
			assert.NotContains(t, r.Stderr, "stale")
			assert.NotContains(t, r.Stderr, "the endpoint was")
			assert.Zero(t, srv.Count("members"), "nothing sent")
		}
		r := cmdtest.Exec(t.Context(), cmdtest.APIEnv(srv), nil, NewCmdAPI, "-F", "limit=2", q)
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
	})
	t.Run("the server's errors", func(t *testing.T) {
		for _, tt := range []struct {
			name    string
			message string
			args    []string
			want    string
		}{
			{"-f for a custom scalar", `Variable \"$n\" got invalid value \"2\"; Long cannot represent non-integer value: \"2\"`, []string{"-f", "n=2", "query Q($n: Long!) { x(n: $n) }"},
				`tribe-token: Variable "$n" got invalid value "2"; Long cannot represent non-integer value: "2" (code 106); -f sends $n as a string; use -F for typed values: -F n=VALUE` + "\n"},
			{"not given", `Variable \"$limit\" of type \"Int\" used in position expecting type \"Int!\".`, []string{"query Q($limit: Int) { members(limit: $limit) { id } }"},
				`tribe-token: Variable "$limit" of type "Int" used in position expecting type "Int!". (code 106); no -F, -f or --variables gives $limit; pass it with -F limit=VALUE` + "\n"},
			{"given with -F", `variable $limit: an Int must be a JSON integer within 32 bits`, []string{"-F", "limit=1e99", "query Q($limit: Int!) { x(n: $limit) }"},
				"tribe-token: variable $limit: an Int must be a JSON integer within 32 bits (code 106)\n"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) {
					_, _ = io.WriteString(w, `{"data":null,"errors":[{"message":"`+tt.message+`","code":"106"}]}`)
				})
				r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, tt.args...)
				assert.Equal(t, cmdutil.ExitFailure, r.Code)
				assert.Equal(t, tt.want, r.Stderr)
			})
		}
	})
}

// TestAPIRefusedToken: a token of the user's (TRIBE_TOKEN, --token-file)
// that the API refuses, expired or revoked, is to be minted again, as
// whoami says; the gateway it was sent to is not blamed.
func TestAPIRefusedToken(t *testing.T) {
	var now atomicTime
	now.set(time.Now())
	srv := tribetest.NewServer(tribetest.WithClock(now.get), tribetest.WithTokenLifetime(time.Hour))
	t.Cleanup(srv.Close)
	tok, err := srv.MintToken(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
	require.NoError(t, err)
	gateway := srv.URL + "/gateway/" + tribetest.DefaultNetworkID
	env := map[string]string{"TRIBE_TOKEN": tok, "TRIBE_GATEWAY_URL": gateway, "TRIBE_GATEWAY_FOR": cmdutil.GatewayFingerprint(tok), "TRIBE_ENDPOINT": srv.GraphQLURL()}

	r := cmdtest.Exec(t.Context(), env, nil, NewCmdAPI, "query Me { authMember { id } }")
	require.Equal(t, cmdutil.ExitOK, r.Code, "the token works before it expires: %s", r.Stderr)

	now.set(now.get().Add(2 * time.Hour))
	file := filepath.Join(t.TempDir(), "token.txt")
	require.NoError(t, os.WriteFile(file, []byte("not-a-token-the-server-knows\n"), 0o600))
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		from string
	}{
		{"expired, to its gateway", env, nil, "TRIBE_TOKEN"},
		{"revoked, to the endpoint", map[string]string{"TRIBE_TOKEN": "not-a-token-the-server-knows", "TRIBE_ENDPOINT": srv.GraphQLURL()}, nil, "TRIBE_TOKEN"},
		{"from --token-file", map[string]string{"TRIBE_ENDPOINT": srv.GraphQLURL()}, []string{"--token-file", file}, "--token-file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Exec(t.Context(), tt.env, nil, NewCmdAPI, append(tt.args, "query Me { authMember { id } }")...)
			assert.Equal(t, cmdutil.ExitFailure, r.Code)
			assert.Contains(t, r.Stderr, "(code 108)")
			assert.Contains(t, r.Stderr, "; the token is invalid or expired, or belongs to another endpoint; mint a new one for "+tt.from+"\n")
			assert.NotContains(t, r.Stderr, "TRIBE_GATEWAY_URL", "no gateway hint")
			assert.NotContains(t, r.Stderr, "stale")
			assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), r.Stderr)
		})
	}
}

// atomicTime is a clock a test moves, safe for concurrent use.
type atomicTime struct{ ns atomic.Int64 }

func (c *atomicTime) set(t time.Time) { c.ns.Store(t.UnixNano()) }
func (c *atomicTime) get() time.Time  { return time.Unix(0, c.ns.Load()) }

// TestAPIRefusedTokenHTTP401: a token refused with HTTP 401, not a
// GraphQL error, gets the same advice, and no endpoint hint.
func TestAPIRefusedTokenHTTP401(t *testing.T) {
	srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"message":"Unauthorized"}`)
	})
	r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "query Me { authMember { id } }")
	assert.Equal(t, cmdutil.ExitFailure, r.Code)
	assert.Contains(t, r.Stderr, "HTTP 401")
	assert.True(t, strings.HasSuffix(r.Stderr, "; the token is invalid or expired, or belongs to another endpoint; mint a new one for TRIBE_TOKEN\n"), r.Stderr)
	assert.NotContains(t, r.Stderr, "stale")
	assert.NotContains(t, r.Stderr, "the endpoint was")
}
