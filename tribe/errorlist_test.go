package tribe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/Khan/genqlient/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorList(t *testing.T) {
	many := "[" + strings.TrimSuffix(strings.Repeat(`{"message":"m"},`, 150), ",") + "]"
	tests := []struct {
		name     string
		errors   string
		wantKept int
		wantNil  int // of the kept, null objects
		wantMore int
		wantErr  bool
	}{
		{name: "none", errors: `[]`},
		{name: "null", errors: `null`},
		{name: "two, one null", errors: `[null, {"message":"m","code":"108"}]`, wantKept: 2, wantNil: 1},
		{name: "past maxErrors", errors: many, wantKept: maxErrors, wantMore: 150 - maxErrors},
		{name: "a string", errors: `"x"`, wantErr: true},
		{name: "an object", errors: `{}`, wantErr: true},
		{name: "an element that is not an object", errors: `[1]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans, err := decodeAnswer([]byte(`{"data":null,"errors":`+tt.errors+`}`), nil)
			if tt.wantErr {
				assert.Error(t, err)
				var std struct{ Errors []*GraphQLError }
				assert.Error(t, json.Unmarshal([]byte(`{"errors":`+tt.errors+`}`), &std), "as encoding/json")
				return
			}
			require.NoError(t, err)
			assert.Len(t, ans.errors, tt.wantKept)
			assert.Equal(t, tt.wantMore, ans.moreErrors)
			nils := 0
			for _, e := range ans.errors {
				if e == nil {
					nils++
				}
			}
			assert.Equal(t, tt.wantNil, nils)
		})
	}
}

// answerServer answers every request with body.
func answerServer(t *testing.T, body []byte) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(staticTokenSource("tok"), ClientConfig{Endpoint: srv.URL, Retry: RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	return c
}

// allocated returns the bytes call allocates.
func allocated(call func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	call()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileErrorsAreBounded: an answer's 8 MiB of errors cost a call
// about the answer's size, not many times it: millions of error objects
// (3 GiB and 8 seconds when each was decoded and redacted), or one whose
// extensions or path hold millions of empty objects or numbers (half a
// GiB); the code in such extensions still counts.
func TestHostileErrorsAreBounded(t *testing.T) {
	const size = 7<<20 + 512<<10
	fill := func(head, item, tail string) ([]byte, int) {
		var b bytes.Buffer
		b.WriteString(head)
		n := 0
		for ; b.Len() < size; n++ {
			if n > 0 {
				b.WriteByte(',')
			}
			b.WriteString(item)
		}
		b.WriteString(tail)
		return b.Bytes(), n
	}
	manyErrors, n := fill(`{"data":null,"errors":[`, `{"message":"m"}`, `]}`)
	bigExtensions, _ := fill(`{"data":null,"errors":[{"message":"refused","extensions":{"junk":[`, `{}`, `],"code":"108"}}]}`)
	longPath, _ := fill(`{"data":null,"errors":[{"message":"deep","path":[`, `1`, `]}]}`)
	tests := []struct {
		name  string
		body  []byte
		check func(t *testing.T, re *ResponseError)
	}{
		{"millions of errors", manyErrors, func(t *testing.T, re *ResponseError) {
			assert.Len(t, re.Errors, maxErrors)
			assert.Equal(t, fmt.Sprintf("tribe: graphql: m (and %d more errors)", n-1), re.Error())
		}},
		{"huge extensions", bigExtensions, func(t *testing.T, re *ResponseError) {
			require.Len(t, re.Errors, 1)
			assert.Equal(t, CodeInvalidToken, re.Errors[0].Code, "read from the extensions' text")
			assert.True(t, errors.Is(re, ErrInvalidToken))
			assert.Nil(t, re.Errors[0].Extensions)
		}},
		{"a huge path", longPath, func(t *testing.T, re *ResponseError) {
			require.Len(t, re.Errors, 1)
			assert.Equal(t, "deep", re.Errors[0].Message)
			assert.Nil(t, re.Errors[0].Path)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := answerServer(t, tt.body)
			var err error
			call := func() {
				var data json.RawMessage
				err = c.GraphQL().MakeRequest(context.Background(), &graphql.Request{Query: "query { ok }"}, &graphql.Response{Data: &data})
			}
			call() // the connection and the buffers
			got := allocated(call)
			t.Logf("one call allocated %d MiB", got>>20)
			re, ok := errors.AsType[*ResponseError](err)
			require.True(t, ok, "%v", err)
			tt.check(t, re)
			assert.Less(t, got, uint64(64<<20), "allocated %d MiB for a 7.5 MiB answer", got>>20)
		})
	}
}
