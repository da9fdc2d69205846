package tribetest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// setup starts a server and closes it when the test ends.
func setup(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// memberToken is an access token s mints for the plain member of the
// default network.
func memberToken(t *testing.T, s *Server) string {
	t.Helper()
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	require.NoError(t, err)
	return tok
}

// gqlResult is a decoded GraphQL answer.
type gqlResult struct {
	Status int
	Header http.Header
	Raw    string
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string           `json:"message"`
		Code       string           `json:"code"`
		Path       []any            `json:"path"`
		Locations  []map[string]int `json:"locations"`
		Extensions map[string]any   `json:"extensions"`
	} `json:"errors"`
}

// codes are the error codes of r, in order.
func (r gqlResult) codes() []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Code)
	}
	return out
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

func defaultBasic() string { return basic(DefaultClientID, DefaultClientSecret) }

func bearer(tok string) string { return "Bearer " + tok }

// gql posts a GraphQL request to endpoint with the Authorization header
// auth ("" for none).
func gql(t *testing.T, s *Server, endpoint, auth, query string, vars map[string]any) gqlResult {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return do(t, s, req)
}

func do(t *testing.T, s *Server, req *http.Request) gqlResult {
	t.Helper()
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	r := gqlResult{Status: resp.StatusCode, Header: resp.Header, Raw: string(raw)}
	require.Truef(t, json.Valid(raw), "not JSON: %s", raw)
	require.NoError(t, json.Unmarshal(raw, &r))
	return r
}

const limitedTokenQuery = `query limitedToken($context: PermissionContext!, $entityId: String!, $impersonateMemberId: String, $networkId: String!) {
  limitedToken(context: $context, entityId: $entityId, impersonateMemberId: $impersonateMemberId, networkId: $networkId) {
    accessToken
    gatewayUrl
  }
}`

// limitedToken mints a token over HTTP for member (or the bot when "").
func limitedToken(t *testing.T, s *Server, network, member string) string {
	t.Helper()
	vars := map[string]any{"context": "NETWORK", "entityId": network, "networkId": network}
	if member != "" {
		vars["impersonateMemberId"] = member
	}
	r := gql(t, s, s.GraphQLURL(), defaultBasic(), limitedTokenQuery, vars)
	require.Emptyf(t, r.Errors, "limitedToken: %s", r.Raw)
	tok, _ := r.Data["limitedToken"].(map[string]any)["accessToken"].(string)
	require.NotEmpty(t, tok)
	return tok
}

// path digs into decoded JSON: keys for objects, ints for arrays.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// form posts a token request.
func form(t *testing.T, s *Server, vals url.Values, mod ...func(*http.Request)) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.OAuthTokenURL(), strings.NewReader(vals.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, m := range mod {
		m(req)
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	require.NoErrorf(t, json.Unmarshal(raw, &out), "body %s", raw)
	return resp.StatusCode, out, resp.Header
}

// creds are the default app's credentials as form parameters, plus kv.
func creds(kv ...string) url.Values {
	v := url.Values{"client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func mustEC(t *testing.T) *ecdsa.PublicKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return &k.PublicKey
}

// withReadTimeout sets the server's read timeout (default 30 s), so a
// test can outlast it quickly.
func withReadTimeout(d time.Duration) Option {
	return func(c *config) error {
		c.readTimeout = d
		return nil
	}
}
