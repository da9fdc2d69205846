package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/internal/redact"
)

func TestParseJQ(t *testing.T) {
	tests := []struct {
		expr    string
		wantErr string
	}{
		{expr: ".data.members.nodes[].id"},
		{expr: `.data | {id, n: (.nodes | length)}`},
		{expr: ".data | foo(", wantErr: `--jq ".data | foo(" does not parse at byte 12: unexpected EOF; see https://jqlang.org/manual/`},
		{expr: ".data | nope", wantErr: `--jq ".data | nope": function not defined: nope/0`},
		{expr: `input`, wantErr: `--jq "input": input(s)/0 is not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			code, err := parseJQ(tt.expr)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotNil(t, code)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			var ue *cmdutil.UsageError
			assert.ErrorAs(t, err, &ue, "a usage error (exit 2)")
		})
	}
}

// TestAPIJQ: --jq filters {"data": ...} and prints each value on a line:
// a string as it is, anything else as compact JSON; it sees no
// environment, and no secret of the run.
func TestAPIJQ(t *testing.T) {
	data := `{"network":{"name":"Acme","id":"n1"},"list":[1,2.50,1e3],"none":null,"flag":true,` +
		`"text":"line 1\nline\t2 \u001b[31mred\u202e","echo":"you sent tok-123","b64":"` + base64.StdEncoding.EncodeToString([]byte("Bearer tok-123")) + `"}`
	srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) { _, _ = io.WriteString(w, `{"data":`+data+`}`) })
	tests := []struct {
		name     string
		expr     string
		wantCode int
		want     string // stdout
		stderr   string // in stderr
	}{
		{name: "a string as it is", expr: ".data.network.name", want: "Acme\n"},
		{name: "an object as compact JSON, names sorted", expr: ".data.network", want: `{"id":"n1","name":"Acme"}` + "\n"},
		{name: "numbers as written", expr: ".data.list[]", want: "1\n2.50\n1e3\n"},
		{name: "a computed number", expr: ".data.list[1] * 2", want: "5\n"},
		{name: "null and booleans", expr: ".data.none, .data.flag", want: "null\ntrue\n"},
		{name: "several values", expr: `.data.network | .id, {id}`, want: "n1\n" + `{"id":"n1"}` + "\n"},
		{name: "newlines and tabs kept, the rest inert", expr: ".data.text", want: "line 1\nline\t2 \\x1b[31mred\\u202e\n"},
		{name: "inert inside JSON", expr: "[.data.text]", want: `["line 1\nline\t2 \u001b[31mred\u202e"]` + "\n"},
		{name: "no environment", expr: "$ENV, env", want: "{}\n{}\n"},
		{name: "the token redacted before the filter", expr: ".data.echo | ascii_upcase", want: "YOU SENT [REDACTED]\n"},
		{name: "the token redacted after the filter", expr: ".data.b64 | @base64d", want: "Bearer [REDACTED]\n"},
		{name: "halt ends the output", expr: ".data.flag, halt, .data.none", want: "true\n"},
		{name: "an error after output", expr: ".data.flag, (.data.list | keys | .[0] | keys)", wantCode: cmdutil.ExitFailure, want: "true\n",
			stderr: "tribe-token: --jq: keys cannot be applied to: number (0)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "--jq", tt.expr, "query Q { network { id name } }")
			assert.Equal(t, tt.wantCode, r.Code, r.Stderr)
			assert.Equal(t, tt.want, r.Stdout)
			assert.Equal(t, tt.stderr, r.Stderr)
			assert.NotContains(t, r.Stdout, "tok-123")
		})
	}
}

// TestAPIJQRedactsItsInput: a string holding the token, in any form, is
// redacted before the filter sees it, so that no filter decodes it.
func TestAPIJQRedactsItsInput(t *testing.T) {
	const tok = "tok-1234567890"
	srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) {
		fmt.Fprintf(w, `{"data":{"b64":%q}}`, base64.StdEncoding.EncodeToString([]byte("id:"+tok)))
	})
	r := cmdtest.Exec(t.Context(), map[string]string{"TRIBE_TOKEN": tok, "TRIBE_ENDPOINT": srv.URL + "/graphql"}, nil, NewCmdAPI, "--jq", `.data.b64, (.data.b64 | try @base64d catch "cannot decode")`, "{ b64 }")
	require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
	assert.Equal(t, "aWQ6[REDACTED]OTA=\ncannot decode\n", r.Stdout)
}

// TestAPIJQWithErrors: the data is filtered, then the answer's GraphQL
// errors go to stderr as without --jq.
func TestAPIJQWithErrors(t *testing.T) {
	srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":{"a":1,"b":null},"errors":[{"message":"b failed","path":["b"],"code":"110"}]}`)
	})
	r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "--jq", ".data.a", "{ a b }")
	assert.Equal(t, cmdutil.ExitFailure, r.Code)
	assert.Equal(t, "1\n", r.Stdout)
	assert.Equal(t, "tribe-token: b failed (code 110) at b\n", r.Stderr)
}

// pages answers a members connection in pages of the given sizes, node
// ids m1, m2, ... in order.
func pages(sizes ...int) func(n int, w http.ResponseWriter) {
	id := 0
	return func(n int, w http.ResponseWriter) {
		var nodes []string
		for range sizes[n-1] {
			id++
			nodes = append(nodes, fmt.Sprintf(`{"id":"m%d"}`, id))
		}
		fmt.Fprintf(w, `{"data":{"members":{"nodes":[%s],"pageInfo":{"hasNextPage":%v,"endCursor":"c%d"}}}}`, strings.Join(nodes, ","), n < len(sizes), n)
	}
}

const membersQuery = `query Members($after: String) { members(after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`

// TestAPIJQPaginate: with --paginate, --jq runs on each page as it comes,
// not on the pages merged.
func TestAPIJQPaginate(t *testing.T) {
	srv, _ := graphQLServer(t, pages(2, 2, 1))
	r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "--paginate", "--jq", ".data.members.nodes | length, .[].id", membersQuery)
	require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
	assert.Equal(t, "2\nm1\nm2\n2\nm3\nm4\n1\nm5\n", r.Stdout)
	assert.Empty(t, r.Stderr)
}

// TestDecodeForJQ: the values are encoding/json's with UseNumber, a
// string holding a secret redacted, a name too; an answer that would take
// too much memory decoded is refused, naming --jq.
func TestDecodeForJQ(t *testing.T) {
	doc := `{"a":[1,2.50,-3e2,true,false,null,{"b":"x\u00e9\ny","c":[]}],"tok-123456":"tok-123456 here","e":{}}`
	got, err := decodeForJQ([]byte(doc), redact.NewMatcher("tok-123456"))
	require.NoError(t, err)
	var want any
	dec := json.NewDecoder(strings.NewReader(strings.ReplaceAll(doc, "tok-123456", redact.Marker)))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&want))
	assert.Equal(t, want, got)

	var hostile bytes.Buffer
	hostile.WriteString("[{}")
	for hostile.Len() < 2<<20 {
		hostile.WriteString(",{}")
	}
	hostile.WriteString("]")
	_, err = decodeForJQ(hostile.Bytes(), redact.NewMatcher())
	require.Error(t, err)
	assert.Equal(t, "the answer's data is too large to filter with --jq (it would take more than 128MiB decoded); ask for fewer items a page, or leave out --jq", err.Error())
	var le *limitError
	assert.ErrorAs(t, err, &le, "no advice about the endpoint")
}
