package tribetest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawPost posts a GraphQL query and returns status, headers, body, or the
// transport error.
func rawPost(ctx context.Context, s *Server, auth, query string) (int, http.Header, string, error) {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.GraphQLURL(), strings.NewReader(string(body)))
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", auth)
	resp, err := s.Client().Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw), err
}

const mintQuery = `query mint { limitedToken(context: NETWORK, entityId: "net-acme", networkId: "net-acme") { accessToken } }`

func TestFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, status int, h http.Header, body string, err error)
	}{
		{"status with default body", Fault{Status: 503}, func(t *testing.T, status int, _ http.Header, body string, err error) {
			require.NoError(t, err)
			assert.Equal(t, 503, status)
			assert.JSONEq(t, `{"errors":[{"message":"Service Unavailable","code":"10","extensions":{"code":"10"}}]}`, body)
		}},
		{"status with a body", Fault{Status: 500, Body: `{"oops":true}`}, func(t *testing.T, status int, _ http.Header, body string, err error) {
			require.NoError(t, err)
			assert.Equal(t, 500, status)
			assert.Equal(t, `{"oops":true}`, body)
		}},
		{"rate limited", Fault{RetryAfter: 1500 * time.Millisecond}, func(t *testing.T, status int, h http.Header, body string, err error) {
			require.NoError(t, err)
			assert.Equal(t, 429, status)
			assert.Equal(t, "2", h.Get("Retry-After"))
			assert.Contains(t, body, `"code":"104"`)
		}},
		{"truncated", Fault{Truncate: true}, func(t *testing.T, status int, _ http.Header, body string, err error) {
			require.NoError(t, err)
			assert.Equal(t, 200, status)
			assert.True(t, strings.HasPrefix(body, `{"data":{"limitedToken":{"accessToken":"`), body)
			assert.False(t, json.Valid([]byte(body)))
		}},
		{"non-JSON", Fault{NonJSON: true, Status: 502}, func(t *testing.T, status int, h http.Header, body string, err error) {
			require.NoError(t, err)
			assert.Equal(t, 502, status)
			assert.Contains(t, h.Get("Content-Type"), "text/html")
			assert.Contains(t, body, "<html>")
			assert.False(t, json.Valid([]byte(body)))
		}},
		{"non-JSON 200", Fault{NonJSON: true}, func(t *testing.T, status int, _ http.Header, body string, err error) {
			require.NoError(t, err)
			assert.Equal(t, 200, status)
			assert.False(t, json.Valid([]byte(body)))
		}},
		{"dropped", Fault{Drop: true}, func(t *testing.T, _ int, _ http.Header, _ string, err error) {
			require.Error(t, err)
			assert.True(t, errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset"), err.Error())
		}},
		{"latency", Fault{Latency: 50 * time.Millisecond}, func(t *testing.T, status int, _ http.Header, body string, err error) {
			require.NoError(t, err)
			assert.Equal(t, 200, status)
			assert.True(t, json.Valid([]byte(body)))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := setup(t)
			require.NoError(t, s.Fail("limitedToken", tc.fault))
			start := time.Now()
			status, h, body, err := rawPost(context.Background(), s, defaultBasic(), mintQuery)
			tc.check(t, status, h, body, err)
			assert.GreaterOrEqual(t, time.Since(start), tc.fault.Latency)
			// Then normal service.
			status, _, body, err = rawPost(context.Background(), s, defaultBasic(), mintQuery)
			require.NoError(t, err)
			assert.Equal(t, 200, status)
			assert.Contains(t, body, "accessToken")
			assert.Equal(t, 0, s.PendingFaults("limitedToken"))
			assert.Equal(t, 2, s.Count("limitedToken"))
			recs := s.Requests()
			require.Len(t, recs, 2)
			assert.Equal(t, tc.fault.String(), recs[0].Fault)
			assert.Empty(t, recs[1].Fault)
		})
	}
}

func TestFaultOrderAndTimes(t *testing.T) {
	s := setup(t)
	require.NoError(t, s.Fail("limitedToken", Fault{Status: 503, Times: 2}))
	require.NoError(t, s.Fail("limitedToken", Fault{Status: 429}))
	require.NoError(t, s.Fail("authMember", Fault{Status: 500}))
	assert.Equal(t, 3, s.PendingFaults("limitedToken"))
	var got []int
	for range 5 {
		status, _, _, err := rawPost(context.Background(), s, defaultBasic(), mintQuery)
		require.NoError(t, err)
		got = append(got, status)
	}
	assert.Equal(t, []int{503, 503, 429, 200, 200}, got)
	assert.Equal(t, 1, s.PendingFaults("authMember"), "another operation's fault stays")

	// By operation name, and "*".
	require.NoError(t, s.Fail("mint", Fault{Status: 502}))
	status, _, _, _ := rawPost(context.Background(), s, defaultBasic(), mintQuery)
	assert.Equal(t, 502, status)
	require.NoError(t, s.Fail("*", Fault{Status: 504}))
	status, _, _, _ = rawPost(context.Background(), s, defaultBasic(), `{ network { id } }`)
	assert.Equal(t, 504, status)

	s.ClearFaults()
	assert.Equal(t, 0, s.PendingFaults("authMember"))
	assert.Error(t, s.Fail("x", Fault{Status: 42}))
	assert.Error(t, s.Fail("x", Fault{Times: -1}))
	assert.Error(t, s.Fail("x", Fault{Latency: -time.Second}))
}

func TestFaultLatencyRespectsContext(t *testing.T) {
	s := setup(t)
	require.NoError(t, s.Fail("limitedToken", Fault{Latency: time.Minute}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, _, err := rawPost(ctx, s, defaultBasic(), mintQuery)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestFaultLatencyEndsOnClose(t *testing.T) {
	s := NewServer()
	require.NoError(t, s.Fail("limitedToken", Fault{Latency: time.Minute}))
	done := make(chan error, 1)
	go func() {
		_, _, _, err := rawPost(context.Background(), s, defaultBasic(), mintQuery)
		done <- err
	}()
	require.Eventually(t, func() bool { return s.PendingFaults("limitedToken") == 0 }, 5*time.Second, time.Millisecond)
	start := time.Now()
	s.Close()
	assert.Less(t, time.Since(start), 10*time.Second, "Close does not wait out the latency")
	assert.Error(t, <-done)
}

func TestFaultOnGrant(t *testing.T) {
	s := setup(t)
	require.NoError(t, s.Fail(GrantPassword, Fault{Status: 503}))
	require.NoError(t, s.Fail(GrantRefreshToken, Fault{Truncate: true}))
	status, body, _ := form(t, s, creds("grant_type", "password", "username", "alice", "password", DefaultPassword))
	assert.Equal(t, 503, status)
	assert.Equal(t, "temporarily_unavailable", body["error"])
	status, body, _ = form(t, s, creds("grant_type", "password", "username", "alice", "password", DefaultPassword))
	require.Equal(t, 200, status)

	req, err := http.NewRequest(http.MethodPost, s.OAuthTokenURL(),
		strings.NewReader(creds("grant_type", GrantRefreshToken, "refresh_token", body["refresh_token"].(string)).Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.False(t, json.Valid(raw), "truncated: %s", raw)
	assert.Equal(t, 2, s.GrantCount(GrantPassword))
	assert.Equal(t, 1, s.GrantCount(GrantRefreshToken))
}

// TestDropWithoutHijack: a Drop fault on a ResponseWriter that cannot be
// hijacked (a recorder) answers nothing and does not panic.
func TestDropWithoutHijack(t *testing.T) {
	s := setup(t)
	require.NoError(t, s.Fail("limitedToken", Fault{Drop: true}))
	body, err := json.Marshal(map[string]any{"query": mintQuery})
	require.NoError(t, err)
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", defaultBasic())
	rr := httptest.NewRecorder()
	require.NotPanics(t, func() { s.ServeHTTP(rr, req) })
	assert.Empty(t, rr.Body.String())
	assert.Empty(t, rr.Header())
	recs := s.Requests()
	require.Len(t, recs, 1)
	assert.Equal(t, 0, recs[0].Status)
	assert.Equal(t, "drop", recs[0].Fault)
	assert.Equal(t, 0, s.PendingFaults("limitedToken"))

	// Served by net/http over HTTP/2, where there is nothing to hijack
	// either, the stream is reset: the client sees an error, not an answer.
	h2 := httptest.NewUnstartedServer(s)
	h2.EnableHTTP2 = true
	h2.StartTLS()
	defer h2.Close()
	require.NoError(t, s.Fail("limitedToken", Fault{Drop: true}))
	req, err = http.NewRequest(http.MethodPost, h2.URL+"/graphql", strings.NewReader(string(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", defaultBasic())
	resp, err := h2.Client().Do(req)
	if err == nil {
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Errorf("dropped over HTTP/2, yet answered %s %q (proto %s)", resp.Status, raw, resp.Proto)
	}
	// And a normal request over HTTP/2 still works.
	resp, err = h2.Client().Post(h2.URL+"/graphql", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "HTTP/2.0", resp.Proto)
}
