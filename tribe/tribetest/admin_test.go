package tribetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// admin calls the admin API and decodes its JSON answer.
func admin(t *testing.T, s *Server, method, p string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+p, rd)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

// TestAdminOffByDefault: without WithAdminAPI, /__admin/ is an unknown
// path (404) and changes nothing.
func TestAdminOffByDefault(t *testing.T) {
	s := setup(t)
	for _, p := range []string{"/__admin/requests", "/__admin/reset", "/__admin/stubs"} {
		status, _ := admin(t, s, http.MethodPost, p, map[string]any{})
		assert.Equal(t, http.StatusNotFound, status, p)
	}
}

// TestAdminEndpoints: each endpoint of the admin API, from a loopback
// client.
func TestAdminEndpoints(t *testing.T) {
	s, auth := smallServer(t, WithAdminAPI())
	q(t, s, auth, `{ thing(id: "t1") { id } }`, nil)
	r := gql(t, s, s.GraphQLURL(), defaultBasic(), `{ any { __typename } }`, nil)
	assert.Equal(t, []string{codeInvalidToken}, r.codes(), "Basic credentials are no Bearer token")

	status, body := admin(t, s, http.MethodGet, "/__admin/requests", nil)
	require.Equal(t, http.StatusOK, status)
	reqs := body["requests"].([]any)
	require.Len(t, reqs, 2)
	assert.Equal(t, []any{"thing"}, path(reqs[0], "fields"))
	assert.Equal(t, "bearer", path(reqs[0], "auth"))
	assert.Equal(t, PlainMemberID, path(reqs[0], "memberId"))
	assert.EqualValues(t, 200, path(reqs[0], "status"))
	assert.NotContains(t, toString(body), DefaultClientSecret)

	status, body = admin(t, s, http.MethodGet, "/__admin/counts", nil)
	require.Equal(t, http.StatusOK, status)
	assert.EqualValues(t, 1, path(body, "counts", "thing"))
	assert.EqualValues(t, 1, path(body, "counts", "any"))
	assert.Equal(t, "basic", path(reqs[1], "auth"))
	assert.Equal(t, DefaultClientID, path(reqs[1], "clientId"))

	// Faults, as Fail.
	status, body = admin(t, s, http.MethodPost, "/__admin/faults", map[string]any{"name": "thing", "status": 503, "times": 2})
	require.Equal(t, http.StatusOK, status, body)
	assert.EqualValues(t, 2, body["pending"])
	r = gql(t, s, s.GraphQLURL(), auth, `{ thing(id: "t1") { id } }`, nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.Status)
	_, body = admin(t, s, http.MethodGet, "/__admin/faults?name=thing", nil)
	assert.EqualValues(t, 1, body["pending"])
	status, _ = admin(t, s, http.MethodDelete, "/__admin/faults", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Zero(t, s.PendingFaults("thing"))
	status, body = admin(t, s, http.MethodPost, "/__admin/faults", map[string]any{"name": "thing", "status": 99})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body["error"], "Status 99")

	// The clock.
	before := s.Now()
	status, body = admin(t, s, http.MethodPost, "/__admin/advance", map[string]any{"seconds": 7200})
	require.Equal(t, http.StatusOK, status)
	assert.WithinDuration(t, before.Add(2*time.Hour), s.Now(), time.Minute)
	assert.NotEmpty(t, body["now"])
	r = gql(t, s, s.GraphQLURL(), auth, `{ thing(id: "t1") { id } }`, nil)
	assert.Equal(t, []string{codeInvalidToken}, r.codes(), "the token expired")
	tok := memberToken(t, s)
	auth = bearer(tok)

	// Objects.
	status, body = admin(t, s, http.MethodPost, "/__admin/objects", map[string]any{"type": "Thing", "id": "t1", "value": map[string]any{"label": "from admin"}})
	require.Equal(t, http.StatusOK, status, body)
	status, body = admin(t, s, http.MethodPost, "/__admin/objects", map[string]any{"objects": map[string]any{"Owner": []any{map[string]any{"id": "o1", "slug": "ann"}}}})
	require.Equal(t, http.StatusOK, status, body)
	assert.EqualValues(t, 1, body["stored"])
	r = q(t, s, auth, `{ thing(id: "t1") { label } }`, nil)
	assert.Equal(t, "from admin", path(r.Data, "thing", "label"))
	status, body = admin(t, s, http.MethodGet, "/__admin/objects/Thing/t1", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, map[string]any{"type": "Thing", "id": "t1", "value": map[string]any{"id": "t1", "label": "from admin"}}, body)
	_, body = admin(t, s, http.MethodGet, "/__admin/objects/Owner", nil)
	assert.Equal(t, []any{"o1"}, body["ids"])
	status, _ = admin(t, s, http.MethodDelete, "/__admin/objects/Owner/o1", nil)
	assert.Equal(t, http.StatusOK, status)
	status, _ = admin(t, s, http.MethodGet, "/__admin/objects/Owner/o1", nil)
	assert.Equal(t, http.StatusNotFound, status)
	status, body = admin(t, s, http.MethodPost, "/__admin/objects", map[string]any{"type": "Nope", "id": "1", "value": map[string]any{}})
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body["error"], `no type "Nope"`)

	// Stubs.
	status, body = admin(t, s, http.MethodPost, "/__admin/stubs", map[string]any{"type": "Root", "field": "any", "value": []any{map[string]any{"__typename": "Blob", "text": "stub"}}})
	require.Equal(t, http.StatusOK, status, body)
	r = q(t, s, auth, `{ any { ... on Blob { text } } }`, nil)
	assert.Equal(t, []any{map[string]any{"text": "stub"}}, r.Data["any"])
	status, _ = admin(t, s, http.MethodDelete, "/__admin/stubs", nil)
	assert.Equal(t, http.StatusOK, status)
	r = q(t, s, auth, `{ any { __typename } }`, nil)
	assert.Len(t, r.Data["any"], defaultMockListLen)

	// Reset: record, counts, faults, stubs and store back to the fixtures.
	require.NoError(t, s.Fail("*", Fault{Status: 500}))
	require.NoError(t, s.Stub("Root", "any", []any{}))
	status, _ = admin(t, s, http.MethodPost, "/__admin/reset", map[string]any{})
	require.Equal(t, http.StatusOK, status)
	assert.Empty(t, s.Requests())
	assert.Zero(t, s.Count("thing"))
	assert.Zero(t, s.PendingFaults("*"))
	assert.Empty(t, s.Store().IDs("Thing"))
	r = q(t, s, auth, `{ any { __typename } }`, nil)
	assert.Len(t, r.Data["any"], defaultMockListLen, "the stub is gone")
	status, _ = admin(t, s, http.MethodDelete, "/__admin/objects", nil)
	assert.Equal(t, http.StatusOK, status)

	// Bad requests.
	tests := []struct {
		method, path, ctype, body string
		status                    int
	}{
		{http.MethodGet, "/__admin/nope", "", "", http.StatusNotFound},
		{http.MethodPut, "/__admin/stubs", "", "", http.StatusMethodNotAllowed},
		{http.MethodPost, "/__admin/stubs", "text/plain", `{}`, http.StatusUnsupportedMediaType},
		{http.MethodPost, "/__admin/advance", "application/json", `{"seconds":-1}`, http.StatusBadRequest},
		{http.MethodPost, "/__admin/advance", "application/json", `{"seconds":1e300}`, http.StatusBadRequest},
		{http.MethodPost, "/__admin/advance", "application/json", `{"seconds":3153600000}`, http.StatusBadRequest},
		{http.MethodPost, "/__admin/advance", "application/json", `{"unknown":1}`, http.StatusBadRequest},
		{http.MethodPost, "/__admin/objects", "application/json", strings.Repeat(" ", maxBodyBytes+1), http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.method+tc.path+tc.ctype, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, s.URL+tc.path, strings.NewReader(tc.body))
			require.NoError(t, err)
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			resp, err := s.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			var out map[string]any
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
			assert.Equal(t, tc.status, resp.StatusCode, out)
			assert.Regexp(t, invalidShape, out["error"])
		})
	}
	for _, rq := range s.Requests() {
		assert.NotContains(t, rq.Path, "/__admin", "admin requests are not in the record")
	}
	assert.Len(t, s.Requests(), 1, "the query since the reset")
}

// TestAdminLoopbackOnly: the admin API refuses clients and Host names
// that are not loopback, and a server on a non-loopback address refuses
// to turn it on.
func TestAdminLoopbackOnly(t *testing.T) {
	s := setup(t, WithAdminAPI())
	tests := []struct{ remote, host string }{
		{"192.0.2.1:1234", "127.0.0.1"},
		{"[2001:db8::1]:1234", "127.0.0.1"},
		{"127.0.0.1:1234", "attacker.example.com"},
		{"garbage", "127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.remote+"/"+tc.host, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/__admin/requests", nil)
			req.RemoteAddr, req.Host = tc.remote, tc.host
			rr := httptest.NewRecorder()
			s.ServeHTTP(rr, req)
			assert.Equal(t, http.StatusForbidden, rr.Code)
			assert.Contains(t, rr.Body.String(), "loopback")
		})
	}
	req := httptest.NewRequest(http.MethodGet, "/__admin/requests", nil)
	req.RemoteAddr, req.Host = "[::1]:1234", "localhost:8080"
	rr := httptest.NewRecorder()
	s.ServeHTTP(rr, req)
	assert.Equal(t, http.StatusOK, rr.Code)

	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0"} {
		_, err := Start(addr, WithAdminAPI())
		assertInvalid(t, err, "WithAdminAPI")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv, err := Start("", WithAdminAPI(), WithListener(ln))
	require.NoError(t, err, "a loopback listener is fine")
	srv.Close()
}
