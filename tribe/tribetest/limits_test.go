package tribetest

import (
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// introspectionQuery is the full introspection query of GraphQL tools
// (graphql-js getIntrospectionQuery with descriptions, specifiedByURL,
// isRepeatable and deprecated input values).
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    description
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL isOneOf
  fields(includeDeprecated: true) {
    name description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}`

// aliasBomb is a query of about 7 KB (k=18) whose fragments each spread
// the next k times under aliases, through every introspection field that
// leads to another object, with lists nested no deeper than the
// validator's introspection depth rule allows. Executed, its answer would
// run to hundreds of gigabytes: before the cost limit, it made the server
// die of "fatal error: out of memory".
func aliasBomb(k int) string {
	var b strings.Builder
	frag := func(name, on string, parts ...string) {
		fmt.Fprintf(&b, "fragment %s on %s {", name, on)
		for i := 0; i+1 < len(parts); i += 2 {
			for j := range k {
				fmt.Fprintf(&b, " %s%d: %s", parts[i], j, parts[i+1])
			}
		}
		b.WriteString(" __typename }\n")
	}
	b.WriteString("{ ...Q }\n")
	frag("Q", "Query", "s", "__schema { ...S }")
	frag("S", "__Schema", "t", "types { ...T }")
	frag("T", "__Type", "f", "fields { ...F }")
	frag("F", "__Field", "y", "type { ...W }", "a", "args { ...A }")
	frag("A", "__InputValue", "y", "type { ...W }")
	frag("W", "__Type", "o", "ofType { ...W2 }", "f", "fields { ...F2 }")
	frag("W2", "__Type", "o", "ofType { ...W3 }", "f", "fields { ...F2 }")
	frag("W3", "__Type", "f", "fields { ...F2 }")
	frag("F2", "__Field", "y", "type { ...X }", "a", "args { ...A2 }")
	frag("A2", "__InputValue", "y", "type { ...X }")
	frag("X", "__Type", "o", "ofType { ...X2 }", "n", "name")
	frag("X2", "__Type", "o", "ofType { name kind }", "k", "kind")
	return b.String()
}

// TestQueryCostBomb: the alias-and-fragment bomb is refused before
// execution, fast and in little memory, with code 118 and the cost in the
// message.
func TestQueryCostBomb(t *testing.T) {
	s := setup(t)
	q := aliasBomb(18)
	require.Greater(t, len(q), 6000)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	r := gql(t, s, s.GraphQLURL(), "", q, nil)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	assert.Less(t, elapsed, time.Second)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(64<<20), "allocated %d MiB", allocated>>20)
	assert.Less(t, int64(after.HeapAlloc)-int64(before.HeapAlloc), int64(64<<20))
	require.Equal(t, http.StatusOK, r.Status)
	require.Len(t, r.Errors, 1, r.Raw)
	assert.Equal(t, "118", r.Errors[0].Code)
	assert.Equal(t, "118", r.Errors[0].Extensions["code"])
	assert.Regexp(t, `^query cost too high: cost at least \d+ exceeds the limit 50000 .*; ask for fewer fields or smaller pages$`, r.Errors[0].Message)
	assert.NotContains(t, r.Raw, `"data"`, "not executed")
	recs := s.Requests()
	require.Len(t, recs, 1)
	assert.Equal(t, []string{"118"}, recs[0].ErrorCodes)

	// Cached with the query: the second time costs nothing to refuse.
	r = gql(t, s, s.GraphQLURL(), "", q, nil)
	assert.Equal(t, "118", r.Errors[0].Code)
}

// countKeys is the number of fields an answer resolved: its object keys,
// at every depth.
func countKeys(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			n += 1 + countKeys(x)
		}
	case []any:
		for _, x := range v {
			n += countKeys(x)
		}
	}
	return n
}

// TestQueryCost: the cost is the number of fields the query resolves, an
// upper bound where lists may be shorter, and counts aliases, fragments
// and list sizes.
func TestQueryCost(t *testing.T) {
	s := setup(t)
	tok := memberToken(t, s)
	nTypes := len(s.schema.Types)
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		cost  int
		exact bool // the answer resolves exactly cost fields
	}{
		{"one field", `{ authMember { id } }`, nil, 2, true},
		{"aliases count each", `{ a: authMember { id } b: authMember { id name } }`, nil, 5, true},
		{"named fragment counted where spread", `{ a: authMember { ...m } b: authMember { ...m } } fragment m on Member { id role { id } }`, nil, 8, true},
		{"inline fragment", `{ authMember { ... on Member { id name } } }`, nil, 3, true},
		{"roles: the most a network has", `{ network { roles { id name } } }`, nil, 2 + 4*2, true},
		{"members: limit", `{ members(limit: 2) { nodes { id } edges { cursor node { id } } } }`, nil, 1 + 2 + 2*1 + 2*3, true},
		{"members: no more than the largest network", `{ members(limit: 1000) { nodes { id } } }`, nil, 1 + 1 + 4, true},
		{"members: limit from a variable", `query($l: Int!) { members(limit: $l) { nodes { id } } }`, map[string]any{"l": float64(3)}, 1 + 1 + 3, true},
		{"__type", `{ __type(name: "Role") { name fields { name } } }`, nil, 1 + 1 + 1 + 6, true},
		{"__type unknown", `{ __type(name: "Nope") { name fields { name } } }`, nil, 1, true},
		{"__schema types", `{ __schema { types { name } } }`, nil, 2 + nTypes, true},
		{"wrapping types", `{ __type(name: "Network") { fields { type { kind ofType { kind ofType { name } } } } } }`, nil, -1, true},
		{"full introspection", introspectionQuery, nil, -1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := s.cache.Get(tc.query)
			require.Nil(t, q.Errors())
			op := q.Doc().Operations[0]
			vars, verr := q.Coerce(op, tc.vars)
			require.Nil(t, verr)
			cost := s.queryCost(q, op, vars)
			if tc.cost >= 0 {
				assert.Equal(t, tc.cost, cost)
			}
			r := gql(t, s, s.GraphQLURL(), bearer(tok), tc.query, tc.vars)
			require.Empty(t, r.Errors, r.Raw)
			resolved := countKeys(r.Data)
			if tc.exact {
				assert.Equal(t, resolved, cost, "the fields the answer holds")
			} else {
				assert.GreaterOrEqual(t, cost, resolved, "an upper bound")
			}
			t.Logf("cost %d, resolved %d", cost, resolved)
		})
	}
}

// TestQueryCostLimit: an operation costing the limit runs; one more is
// refused before execution (no data, nothing resolved); a cost that
// depends on variables or on the number of members is not reused.
func TestQueryCostLimit(t *testing.T) {
	s := setup(t, WithQueryCostLimit(6))
	tok := memberToken(t, s)
	query := func(q string, vars map[string]any) gqlResult {
		t.Helper()
		return gql(t, s, s.GraphQLURL(), bearer(tok), q, vars)
	}
	refused := func(t *testing.T, r gqlResult, cost int) {
		t.Helper()
		require.Len(t, r.Errors, 1, r.Raw)
		assert.Equal(t, "118", r.Errors[0].Code)
		assert.Contains(t, r.Errors[0].Message, fmt.Sprintf("query cost too high: cost at least %d exceeds the limit 6", cost))
		assert.NotContains(t, r.Raw, `"data"`)
	}

	t.Run("at the limit", func(t *testing.T) {
		r := query(`{ a: authMember { id name } b: authMember { id name } }`, nil)
		assert.Empty(t, r.Errors, r.Raw)
	})
	t.Run("over the limit, not executed", func(t *testing.T) {
		s.Reset()
		r := gql(t, s, s.GraphQLURL(), defaultBasic(), `{ limitedToken(context: NETWORK, entityId: "net-acme", networkId: "net-acme") { accessToken gatewayUrl } a: limitedToken(context: NETWORK, entityId: "net-acme", networkId: "net-acme") { accessToken gatewayUrl } b: limitedToken(context: NETWORK, entityId: "net-acme", networkId: "net-acme") { accessToken } }`, nil)
		refused(t, r, 8)
		assert.Empty(t, s.Requests()[0].MemberID, "no token minted")
	})
	t.Run("variables", func(t *testing.T) {
		q := `query($l: Int!) { members(limit: $l) { nodes { id } } }`
		r := query(q, map[string]any{"l": 4})
		assert.Empty(t, r.Errors, r.Raw)
		r = query(q, map[string]any{"l": 1})
		assert.Empty(t, r.Errors, r.Raw)
		r = query(`query($l: Int!) { members(limit: $l) { nodes { id name } } }`, map[string]any{"l": 3})
		refused(t, r, 8)
	})
	t.Run("the number of members", func(t *testing.T) {
		q := `{ members(limit: 100) { nodes { id } } }`
		r := query(q, nil)
		assert.Empty(t, r.Errors, r.Raw)
		_, err := s.AddMember(Member{ID: "mem-new", NetworkID: DefaultNetworkID})
		require.NoError(t, err)
		refused(t, query(q, nil), 7)
	})
}

func TestResponseSizeLimit(t *testing.T) {
	s := setup(t, WithResponseSizeLimit(2048))
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	require.NoError(t, err)
	_, err = s.AddMember(Member{ID: "mem-long", NetworkID: DefaultNetworkID, Tagline: strings.Repeat("long tagline ", 200)})
	require.NoError(t, err)
	tests := []struct {
		name, query string
		tooLarge    bool
	}{
		{"small", `{ authMember { id name } }`, false},
		{"introspection", introspectionQuery, true},
		{"long strings", `{ members(limit: 10) { nodes { id tagline } } }`, true},
		{"errors", `{ a: member(id: "x") { id } b: member(id: "y") { id } }`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, s, s.GraphQLURL(), bearer(tok), tc.query, nil)
			require.Equal(t, http.StatusOK, r.Status)
			assert.LessOrEqual(t, len(r.Raw), 2048)
			if !tc.tooLarge {
				assert.NotContains(t, r.Raw, "response too large")
				return
			}
			require.Len(t, r.Errors, 1, r.Raw)
			assert.Equal(t, "118", r.Errors[0].Code)
			assert.Equal(t, "response too large: more than 2048 bytes; ask for fewer fields or smaller pages", r.Errors[0].Message)
			assert.NotContains(t, r.Raw, `"data"`)
		})
	}
	t.Run("validation errors", func(t *testing.T) {
		q := "{" + strings.Repeat(" nope", 100) + " }"
		r := gql(t, s, s.GraphQLURL(), bearer(tok), q, nil)
		assert.LessOrEqual(t, len(r.Raw), 2048)
		require.Len(t, r.Errors, 1, r.Raw)
		assert.Contains(t, r.Errors[0].Message, "response too large")
	})
}

// TestDefaultResponseSizeLimit: by default an answer may not pass 8 MiB.
func TestDefaultResponseSizeLimit(t *testing.T) {
	s := setup(t)
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	require.NoError(t, err)
	_, err = s.AddMember(Member{ID: "mem-huge", NetworkID: DefaultNetworkID, Tagline: strings.Repeat("x", 3<<20)})
	require.NoError(t, err)
	q := `{ a: members(limit: 10) { nodes { tagline } } b: members(limit: 10) { nodes { tagline } } c: members(limit: 10) { nodes { tagline } } }`
	r := gql(t, s, s.GraphQLURL(), bearer(tok), q, nil)
	assert.LessOrEqual(t, len(r.Raw), 8<<20)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "response too large: more than 8388608 bytes; ask for fewer fields or smaller pages", r.Errors[0].Message)
}

func TestLimitOptionsInvalid(t *testing.T) {
	for name, opt := range map[string]Option{
		"zero cost":       WithQueryCostLimit(0),
		"negative cost":   WithQueryCostLimit(-1),
		"tiny response":   WithResponseSizeLimit(100),
		"negative answer": WithResponseSizeLimit(-1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Start("127.0.0.1:0", opt)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "tribetest: With"), err.Error())
		})
	}
}
