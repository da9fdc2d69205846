package testenv

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SecretForms returns each secret as a server or a library may echo it:
// literally, URL-encoded (upper- and lower-case escapes, as in a form body
// or a query) and in base64 (standard, URL-safe, padded or not, as in an
// HTTP Basic header).
func SecretForms(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		out = append(out, s, url.QueryEscape(s), lowerEscapes(url.QueryEscape(s)),
			base64.StdEncoding.EncodeToString([]byte(s)), base64.URLEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	return out
}

// lowerEscapes writes the hex digits of every %XX escape in s in lower
// case, leaving the rest as it is.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHex(b[i+1]), lowerHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lowerHex(c byte) byte {
	if c >= 'A' && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// NoSecretInText checks what a test of a package's secrets collected:
// every error of errs is one (each call failed) whose message starts with
// prefix (the package's "name: "), and no error nor value of values,
// formatted with %v, %+v, %#v, %s and %q, holds any of secrets.
func NoSecretInText(t testing.TB, prefix string, errs []error, values []any, secrets []string) {
	t.Helper()
	n := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		n++
		values = append(values, err)
		assert.True(t, strings.HasPrefix(err.Error(), prefix), err.Error())
	}
	require.Equal(t, len(errs), n, "every path must have failed")

	for _, v := range values {
		for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out := fmt.Sprintf(format, v)
			for _, s := range secrets {
				if !assert.NotContains(t, out, s, "format %s of %T", format, v) {
					t.Logf("output: %s", out)
				}
			}
		}
	}
}

// maxErrorDepth bounds the walk of EachError, against cycles.
const maxErrorDepth = 64

// EachError calls fn on err and on every error reachable from it through
// Unwrap() error and Unwrap() []error, as errors.Is and errors.As walk.
func EachError(err error, fn func(error)) {
	var walk func(error, int)
	walk = func(e error, depth int) {
		if e == nil || depth > maxErrorDepth {
			return
		}
		fn(e)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		}
	}
	walk(err, 0)
}

// SlowDrip starts a server that answers 200 and then one byte every 50 ms
// until the client goes away: what a client without an overall timeout
// would wait on for ever. It is closed in t.Cleanup.
func SlowDrip(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}
