package crm

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tribekit/tribekit/internal/redact"
)

// FuzzCallback feeds ParseCallback arbitrary redirect queries: it must not
// panic, must accept only the right state with a code, and its errors and
// String must not show the code.
func FuzzCallback(f *testing.F) {
	const state = "state-12345678"
	f.Add("code=abc123456&state=state-12345678&scope=read+write")
	f.Add("state=state-12345678&error=access_denied&error_description=no")
	f.Add("state=other&code=x")
	f.Add("code=&state=state-12345678&scope=")
	f.Add("state=state-12345678&code=c&code=d&scope=read%20offline&scope=x")
	f.Add("%zz&;=;state")
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		r := &AuthRequest{State: state, Scopes: []string{"read", "write"}}
		cb, err := r.ParseCallback(q)
		if err == nil || errors.Is(err, ErrScopeNarrowed) {
			if cb == nil || cb.Code == "" {
				t.Fatalf("accepted without a code: %v", err)
			}
			if q.Get("state") != state || q.Get("error") != "" {
				t.Fatalf("accepted state %q error %q", q.Get("state"), q.Get("error"))
			}
			if cb.Code != q.Get("code") {
				t.Fatalf("code %q, query had %q", cb.Code, q.Get("code"))
			}
			if !strings.HasPrefix(cb.String(), "crm.Callback{Code: "+redact.Marker+", Scopes: ") {
				t.Fatalf("String does not hide the code: %s", cb.String())
			}
			if err == nil && len(missingScopes(r.Scopes, cb.Scopes)) > 0 {
				t.Fatalf("narrowed scopes %q without a ScopeError", cb.Scopes)
			}
			return
		}
		if cb != nil && !errors.Is(err, ErrScopeNarrowed) {
			t.Fatalf("callback returned with error %v", err)
		}
		if q.Get("state") == state && q.Get("error") == "" && q.Get("code") != "" {
			t.Fatalf("refused a valid callback: %v", err)
		}
	})
}

// FuzzAPIBody feeds the OData decoding arbitrary bodies, as a success and as
// an error answer: no panic, errors bounded, valid UTF-8, and the token
// never shown.
func FuzzAPIBody(f *testing.F) {
	const token = "at_fuzz_secret_token_value"
	f.Add(200, []byte(`{"ID":"e1","_Name":"A","Person":{"ID":"p1"}}`))
	f.Add(200, []byte(`{"value":[{"ID":"e1"}]}`))
	f.Add(200, []byte(`{"value":[]}`))
	f.Add(200, []byte(`{"value":{"ID":"e1"}}`))
	f.Add(401, []byte(`{"error":{"code":"Unauthorized","message":"token at_fuzz_secret_token_value is bad"}}`))
	f.Add(500, []byte(`{"error":{"code":"x","message":{"value":"v3 message"},"target":"t"}}`))
	f.Add(403, []byte(`not json Bearer at_fuzz_secret_token_value`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var e Employee
		_ = decodeEntity(body, &e)
		if status < 100 || status > 999 {
			status = http.StatusInternalServerError
		}
		err := apiError("GetCurrentEmployee", status, body, token)
		var ae *APIError
		if !errors.As(err, &ae) {
			t.Fatalf("not an *APIError: %T", err)
		}
		text := err.Error()
		if strings.Contains(text, token) {
			t.Fatalf("error shows the token: %s", text)
		}
		for _, s := range []string{ae.Code, ae.Message, ae.Target} {
			if len(s) > maxMessage+len("…") {
				t.Fatalf("field of %d bytes, over the bound", len(s))
			}
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %q", s)
			}
		}
	})
}
