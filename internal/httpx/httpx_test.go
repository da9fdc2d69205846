package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientKeepsCallerClient(t *testing.T) {
	base := &http.Client{Timeout: 7}
	var seen http.RoundTripper
	c := Client(base, time.Minute, func(rt http.RoundTripper) http.RoundTripper { seen = rt; return rt })
	assert.Equal(t, http.DefaultTransport, seen)
	assert.Nil(t, base.Transport, "the caller's client is not changed")
	assert.Equal(t, base.Timeout, c.Timeout, "the caller's settings are kept")

	c = Client(nil, time.Minute, func(rt http.RoundTripper) http.RoundTripper { return rt })
	assert.Equal(t, time.Minute, c.Timeout, "no client: the default timeout")
}

func TestNoRedirects(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	from := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/x?secret=1", http.StatusTemporaryRedirect)
	}))
	defer from.Close()
	errRefused := errors.New("refused")
	var status int
	var host string
	c := NoRedirects(Client(nil, time.Second, func(rt http.RoundTripper) http.RoundTripper { return rt }), func(next *http.Request) error {
		status, host = next.Response.StatusCode, next.URL.Host
		return errRefused
	})
	_, err := c.Post(from.URL, "text/plain", strings.NewReader("secret"))
	require.ErrorIs(t, err, errRefused)
	assert.Equal(t, http.StatusTemporaryRedirect, status)
	assert.Equal(t, strings.TrimPrefix(target.URL, "http://"), host)
	assert.Zero(t, hits.Load())
}

func TestUserAgent(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("User-Agent"))
	}))
	defer srv.Close()
	c := &http.Client{Transport: UserAgent("", http.DefaultTransport)}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	_, err := c.Do(req)
	require.NoError(t, err)
	assert.Empty(t, req.Header.Get("User-Agent"), "the caller's request is not changed")

	c = &http.Client{Transport: UserAgent("myapp/1.2", http.DefaultTransport)}
	_, err = c.Get(srv.URL)
	require.NoError(t, err)
	req, _ = http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("User-Agent", "own/3")
	_, err = c.Do(req)
	require.NoError(t, err)
	assert.Equal(t, []string{"tribekit/devel", "myapp/1.2", "own/3"}, got)
	assert.True(t, strings.HasPrefix(DefaultUserAgent(), "tribekit/"))
}

func TestWithHeader(t *testing.T) {
	req, err := http.NewRequest(http.MethodPost, "https://example.com/graphql", strings.NewReader("body"))
	require.NoError(t, err)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Basic old")

	r := WithHeader(req, "Authorization", "Bearer new")
	assert.Equal(t, "Bearer new", r.Header.Get("Authorization"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Equal(t, "Basic old", req.Header.Get("Authorization"), "the caller's request is not changed")
	assert.Equal(t, req.Body, r.Body)
	assert.Equal(t, req.Context(), r.Context())
	r.Header.Add("Accept", "text/plain")
	assert.Equal(t, []string{"application/json"}, req.Header.Values("Accept"), "the copy's values are its own")

	r = WithHeader(req, "Authorization", "")
	assert.Empty(t, r.Header.Get("Authorization"), "an empty value deletes")
	assert.Equal(t, "Basic old", req.Header.Get("Authorization"))

	bare := &http.Request{Method: http.MethodGet, URL: req.URL}
	assert.Equal(t, "x", WithHeader(bare, "User-Agent", "x").Header.Get("User-Agent"), "a request without a header gets one")
	assert.Nil(t, bare.Header)
}
