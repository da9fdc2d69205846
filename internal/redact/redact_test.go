package redact

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = "s3cr3t+v@lue/with spaces&more"

func TestStringForms(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("client-id:" + secret))
	cases := map[string]string{
		"literal":            "bad secret " + secret + " given",
		"query escape":       "body: client_id=x&client_secret=" + url.QueryEscape(secret),
		"path escape":        "GET /x/" + url.PathEscape(secret),
		"lower-case escapes": strings.ToLower(url.QueryEscape(secret)),
		"every byte escaped": percentAll(secret),
		"base64 basic alone": "echo: " + basic,
		"base64 url-safe":    base64.URLEncoding.EncodeToString([]byte("ab:" + secret + "tail")),
		"base64 offset 0":    base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64 offset 2":    base64.StdEncoding.EncodeToString([]byte("xy" + secret + "z")),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			out := String(in, secret)
			assert.Contains(t, out, Marker)
			assert.NotContains(t, out, secret)
			assert.NotContains(t, out, url.QueryEscape(secret))
			assert.NotContains(t, out, "v@lue")
			assert.False(t, Contains(out, secret), "still holds the secret: %q", out)
		})
	}
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func TestStringShapes(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
	cases := []struct{ in, keep, gone string }{
		{"token " + jwt + " refused", "refused", "eyJzdWIi"},
		{"Authorization: Bearer abc.def-ghi", "Authorization", "abc.def-ghi"},
		{"Authorization: Basic dXNlcjpwYXNz", "Authorization", "dXNlcjpwYXNz"},
		{"grant_type=password&username=bob&password=hunter22&x=1", "username=bob", "hunter22"},
		{`{"refresh_token":"rt-123456","error":"invalid_grant"}`, "invalid_grant", "rt-123456"},
		{`{"accessToken": "opaque-999"}`, "accessToken", "opaque-999"},
		{"client_secret%3Dsupersecret", "client_secret", "supersecret"},
		{"http://127.0.0.1/cb?state=abcdefgh&code=the-code-1", "state=abcdefgh", "the-code-1"},
		{"code_verifier=verifier-value-xyz", "code_verifier=", "verifier-value-xyz"},
	}
	for _, c := range cases {
		out := String(c.in)
		assert.Contains(t, out, c.keep, c.in)
		assert.NotContains(t, out, c.gone, c.in)
		assert.Contains(t, out, Marker, c.in)
	}
}

func TestStringLeavesOrdinaryText(t *testing.T) {
	for _, s := range []string{
		`{"errors":[{"message":"Forbidden","code":"102"}]}`,
		"tribe: limitedToken: HTTP 401 Unauthorized: check the client id and secret",
		"error=invalid_grant&error_description=the+code+has+expired",
		"tribe-token: no password: set TRIBE_PASSWORD or pass --password-file",
		"the refresh_token: keep it safe",
	} {
		assert.Equal(t, s, String(s, "abc"), "short secrets are not searched for")
		assert.Equal(t, s, String(s, "a-secret-that-is-not-there"))
	}
}

func TestShortSecretsPassedOver(t *testing.T) {
	assert.Equal(t, "a b c", String("a b c", "b"))
}

func TestStringInvalidUTF8(t *testing.T) {
	out := String("a\xffb")
	assert.Equal(t, "a\uFFFDb", out)
}

func TestBounded(t *testing.T) {
	body := []byte(strings.Repeat("é", 300) + secret)
	out := Bounded(body, 100, secret)
	assert.LessOrEqual(t, len(out), 100+len("…"))
	assert.True(t, strings.HasSuffix(out, "…"))
	assert.NotContains(t, out, "\uFFFD")
	// The secret is removed before the cut: no prefix of it survives.
	body = []byte(strings.Repeat("x", 95) + secret)
	out = Bounded(body, 100, secret)
	assert.NotContains(t, out, secret[:5])
	assert.Equal(t, "ok", Bounded([]byte("ok"), 100))
}

func TestValue(t *testing.T) {
	v := map[string]any{
		"msg":  "sent " + secret,
		"list": []any{"x " + secret, 1.0, nil},
		secret: true,
	}
	out := Value(v, secret).(map[string]any)
	assert.Equal(t, "sent "+Marker, out["msg"])
	assert.Equal(t, []any{"x " + Marker, 1.0, nil}, out["list"])
	assert.Contains(t, out, Marker)
	assert.Equal(t, "sent "+secret, v["msg"], "the input is not changed")
}

var errSentinel = errors.New("sentinel")

type timeoutErr struct{ msg string }

func (e *timeoutErr) Error() string { return e.msg }
func (e *timeoutErr) Timeout() bool { return true }

func TestError(t *testing.T) {
	assert.NoError(t, Error(nil, secret))

	clean := fmt.Errorf("wrap: %w", errSentinel)
	assert.Same(t, clean, Error(clean, secret), "an error without secrets is returned as is")

	inner := &url.Error{Op: "Post", URL: "https://h/x?client_secret=" + url.QueryEscape(secret), Err: &timeoutErr{"slow"}}
	err := fmt.Errorf("ctx: %w", errors.Join(errSentinel, inner))
	got := Error(err, secret)
	require.Error(t, got)
	assert.NotContains(t, got.Error(), url.QueryEscape(secret))
	assert.Contains(t, got.Error(), "ctx: sentinel")
	assert.ErrorIs(t, got, errSentinel)
	var ue *url.Error
	assert.False(t, errors.As(got, &ue), "the raw error must not be reachable")
	assert.Nil(t, errors.Unwrap(got))
	var to interface{ Timeout() bool }
	require.True(t, errors.As(got, &to))
	assert.True(t, to.Timeout())

	// A secret only deep in the chain is found too.
	deep := fmt.Errorf("outer: %w", &hidden{inner: fmt.Errorf("x %s", secret)})
	assert.NotSame(t, deep, Error(deep, secret))
}

// hidden is an error whose own text hides its cause's.
type hidden struct{ inner error }

func (h *hidden) Error() string { return "hidden" }
func (h *hidden) Unwrap() error { return h.inner }

func FuzzString(f *testing.F) {
	f.Add("client_secret=abcdefgh", "abcdefgh")
	f.Add(base64.StdEncoding.EncodeToString([]byte("id:"+secret)), secret)
	f.Fuzz(func(t *testing.T, text, sec string) {
		out := String(text, sec)
		if len(sec) >= MinSecretLen && strings.Contains(text, sec) && !strings.Contains(Marker, sec) && strings.Contains(out, sec) {
			// A secret may only survive where it is part of the marker.
			t.Fatalf("secret %q survived in %q", sec, out)
		}
		_ = Bounded([]byte(text), 16, sec)
	})
}

func TestBody(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	jwt := enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc([]byte(`{"id":"m1","exp":1}`)) + ".c2ln"
	body := []byte(`{"error":"bad secret s3cr3t-value","token":"` + jwt + `","h":"Bearer abc.def","b":"Basic Zm9vOmJhcg=="}` + strings.Repeat("x", 2000))
	got := Body(body, "s3cr3t-value")
	assert.NotContains(t, got, "s3cr3t-value")
	assert.NotContains(t, got, jwt)
	assert.NotContains(t, got, "abc.def")
	assert.NotContains(t, got, "Zm9vOmJhcg==")
	assert.LessOrEqual(t, len(got), MaxBody+len("…"))
	assert.Contains(t, got, "[REDACTED]")
}
