package tribe

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGraphQLErrorUnmarshal(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantCode string
		wantPath []any
		is       error
	}{
		{"top-level code", `{"message":"Forbidden","code":"102","path":["limitedToken"]}`, "102", []any{"limitedToken"}, ErrForbidden},
		{"extensions code", `{"message":"invalid","extensions":{"code":"108"}}`, "108", nil, ErrInvalidToken},
		{"numeric code", `{"message":"nope","code":110,"path":["members","nodes",3,"id"]}`, "110", []any{"members", "nodes", 3, "id"}, ErrNotFound},
		{"top level wins", `{"message":"x","code":"102","extensions":{"code":"108"}}`, "102", nil, ErrForbidden},
		{"no code, Forbidden message", `{"message":"Forbidden"}`, "", nil, ErrForbidden},
		{"other code", `{"message":"Parameter validation failed","code":"100","field":"networkId"}`, "100", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e GraphQLError
			require.NoError(t, json.Unmarshal([]byte(tt.body), &e))
			assert.Equal(t, tt.wantCode, e.Code)
			assert.Equal(t, tt.wantPath, e.Path)
			for _, s := range []error{ErrForbidden, ErrInvalidToken, ErrNotFound, ErrUnauthorized} {
				assert.Equal(t, s == tt.is, errors.Is(&e, s), "errors.Is(%v)", s)
			}
		})
	}
}

func TestResponseErrorUnwrapsEach(t *testing.T) {
	err := error(&ResponseError{Operation: "limitedToken", Errors: []*GraphQLError{
		{Message: "Parameter validation failed", Code: "100"},
		{Message: "Forbidden", Code: "102", Path: []any{"limitedToken"}},
	}})
	wrapped := wrapf(err, "minting a token for %s", Bot("n1"))
	assert.ErrorIs(t, wrapped, ErrForbidden)
	assert.NotErrorIs(t, wrapped, ErrInvalidToken)
	var g *GraphQLError
	require.ErrorAs(t, wrapped, &g)
	assert.Equal(t, "100", g.Code)
	assert.Equal(t, "tribe: minting a token for bot@n1: limitedToken: Parameter validation failed (code 100) (and 1 more errors)", wrapped.Error())
}

func TestHTTPErrorIs(t *testing.T) {
	assert.ErrorIs(t, &HTTPError{StatusCode: 401}, ErrUnauthorized)
	assert.ErrorIs(t, &HTTPError{StatusCode: 403}, ErrForbidden)
	assert.NotErrorIs(t, &HTTPError{StatusCode: 500}, ErrUnauthorized)
	msg := (&HTTPError{Operation: "limitedToken", StatusCode: 401, Body: "Unauthorized"}).Error()
	assert.Contains(t, msg, "HTTP 401 Unauthorized")
	assert.Contains(t, msg, "check the client id and secret")
	assert.Contains(t, (&HTTPError{Operation: "x", StatusCode: 429, RetryAfter: 3 * time.Second}).Error(), "retry after 3s")
}

// TestExtensionsCode: the code read from an extensions object's text is
// the one read from the object decoded.
func TestExtensionsCode(t *testing.T) {
	for _, ext := range []string{
		`{"code":"108"}`, `{"code":104}`, `{"code":1.5e2}`, `{"x":{"code":"no"},"code":"102"}`, `{"code":"a","code":"b"}`,
		`{"code":{"nested":1}}`, `{"code":null}`, `{"code":true}`, `{}`, `{"c\u006fde":"110"}`, `null`,
	} {
		t.Run(ext, func(t *testing.T) {
			var decoded map[string]any
			d := json.NewDecoder(strings.NewReader(ext))
			d.UseNumber()
			require.NoError(t, d.Decode(&decoded))
			assert.Equal(t, codeString(decoded["code"]), extensionsCode(json.RawMessage(ext)))
		})
	}
}
