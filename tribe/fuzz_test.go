package tribe

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/Khan/genqlient/graphql"
)

// FuzzGraphQLResponse: whatever status and body a server answers, the
// client returns data or an error of this package, never panics, and keeps
// the secret out of the error.
func FuzzGraphQLResponse(f *testing.F) {
	f.Add(200, []byte(`{"data":{"limitedToken":{"accessToken":"eyJ.a.b","gatewayUrl":null}}}`))
	f.Add(200, []byte(`{"data":null,"errors":[{"message":"Forbidden","code":"102","path":["limitedToken",0]}]}`))
	f.Add(200, []byte(`{"errors":[null,{"code":110}]}`))
	f.Add(200, []byte(`{"data":{"limitedToken":null}}`))
	f.Add(200, []byte(`{"data":{"limitedToken":{"accessToken":5}}}`))
	f.Add(401, []byte(`Unauthorized s3cr3t`))
	f.Add(429, []byte(``))
	f.Add(200, []byte(`<html>`))
	f.Add(200, []byte(`{"data":{"authMember":{"id":"m","role":{"scopes":[1]}}},"errors":"x"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 999 {
			status = 200
		}
		c := &gqlClient{
			endpoint: "http://127.0.0.1/graphql",
			secrets:  []string{"s3cr3t"},
			hc: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {string(body[:min(len(body), 8)])}},
					Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
			})},
		}
		for _, run := range []func() error{
			func() error { _, err := limitedToken(context.Background(), c, "NETWORK", "n", "", "n"); return err },
			func() error { _, err := authMember(context.Background(), c); return err },
			func() error { _, err := network(context.Background(), c); return err },
			func() error {
				return c.MakeRequest(context.Background(), &graphql.Request{Query: "{x}"}, &graphql.Response{})
			},
		} {
			err := run()
			if err == nil {
				continue
			}
			msg := err.Error()
			if strings.Contains(msg, "s3cr3t") {
				t.Fatalf("secret in error: %s", msg)
			}
			var re *ResponseError
			var he *HTTPError
			if !errors.As(err, &re) && !errors.As(err, &he) && !strings.HasPrefix(msg, "tribe: ") {
				t.Fatalf("untyped error: %v", err)
			}
		}
	})
}

// FuzzJWTExpiry: any claims are read without panicking, and the result
// agrees with a JSON decoder's reading of the exp claim.
func FuzzJWTExpiry(f *testing.F) {
	f.Add(`{"exp":1700000000}`)
	f.Add(`{"id":"m","exp": 1.7e9,"iat":1}`)
	f.Add(`{"a":{"exp":1},"exp":2}`)
	f.Add(`{"x":"\"exp\":3","exp":4}`)
	f.Add(`{"exp":"5"}`)
	f.Add(`{"exp":-1}`)
	f.Add(`{"exp":1,"exp":2}`)
	f.Add(`{"a\"exp":2000000000}`)
	f.Fuzz(func(t *testing.T, claims string) {
		enc := base64.RawURLEncoding.EncodeToString
		token := enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(claims)) + ".c2ln"
		got := JWTExpiry(token)
		JWTIssuedAt(token)
		JWTExpiry(claims)

		// A decoder's reading, where the key is not also written in another
		// case (encoding/json matches struct fields case-insensitively).
		var want time.Time
		var parsed map[string]json.RawMessage
		if json.Unmarshal([]byte(claims), &parsed) == nil {
			for k := range parsed {
				if k != "exp" && strings.EqualFold(k, "exp") {
					return
				}
			}
			var n json.Number
			if json.Unmarshal(parsed["exp"], &n) == nil {
				if v, err := n.Float64(); err == nil {
					want = numericDate(v)
				}
			}
		}
		if !got.Equal(want) {
			t.Fatalf("JWTExpiry(%q) = %v, a decoder says %v", claims, got, want)
		}
	})
}

// FuzzDecodeAnswer: a response body reads as encoding/json reads it, into
// a raw data, errors and extensions, and then the data into the
// operation's type: the same data, the same errors, and an error in the
// same cases, whichever of decodeAnswer's paths took it.
func FuzzDecodeAnswer(f *testing.F) {
	f.Add([]byte(`{"data":{"limitedToken":{"accessToken":"eyJ.a.b","gatewayUrl":"https://gw"}},"extensions":{"complexity":1}}`))
	f.Add([]byte(`{"errors":[{"message":"Forbidden","code":"102"}],"data":{"limitedToken":null}}`))
	f.Add([]byte(`{"data":{"limitedToken":{"accessToken":5}},"errors":[{"message":"x"}]}`))
	f.Add([]byte(`{"data":null}`))
	f.Add([]byte(`{"Data":{"limitedToken":{"AccessToken":"a"}},"data":{"limitedToken":{"gatewayUrl":"g"}}}`))
	f.Add([]byte(`{"data":{"authMember":{"id":"m","role":{"__typename":"Role","scopes":["a"]}}}}`))
	f.Add([]byte(`{"data":{"authMember":{"id":"m","role":{"scopes":[1]}}},"errors":"x"}`))
	f.Add([]byte("{\"data\":{\"limitedToken\":{\"accessToken\":\"\xff\"}}}"))
	f.Add([]byte(`{"data":{}} x`))
	f.Add([]byte(`{"errors":[` + strings.Repeat(`{"message":"m"},`, maxErrors) + `{"message":"last"}]}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var std struct {
			Data       json.RawMessage `json:"data"`
			Errors     []*GraphQLError `json:"errors"`
			Extensions json.RawMessage `json:"extensions"`
		}
		stdErr := json.Unmarshal(raw, &std)
		stdHasData := len(std.Data) > 0 && string(std.Data) != "null"
		for _, into := range []func() any{
			func() any { return new(limitedTokenResponse) },
			func() any { return new(authMemberResponse) },
			func() any { return nil },
		} {
			got, want := into(), into()
			ans, err := decodeAnswer(raw, got)
			if err == nil && ans.moreErrors > 0 {
				// Past maxErrors, error objects are counted, not decoded,
				// so encoding/json may refuse one that decodeAnswer skips.
				if stdErr == nil && len(ans.errors)+ans.moreErrors != len(std.Errors) {
					t.Fatalf("decodeAnswer(%q) = %d+%d errors; encoding/json: %d", raw, len(ans.errors), ans.moreErrors, len(std.Errors))
				}
				continue
			}
			if (err == nil) != (stdErr == nil) {
				t.Fatalf("decodeAnswer(%q) error %v, encoding/json %v", raw, err, stdErr)
			}
			if err != nil {
				continue
			}
			if ans.hasData != stdHasData || len(ans.errors) != len(std.Errors) || !bytes.Equal(ans.extensions, std.Extensions) {
				t.Fatalf("decodeAnswer(%q) = data %v, %d errors, extensions %q; encoding/json: %v, %d, %q",
					raw, ans.hasData, len(ans.errors), ans.extensions, stdHasData, len(std.Errors), std.Extensions)
			}
			if !stdHasData || want == nil {
				continue
			}
			wantErr := json.Unmarshal(std.Data, want)
			if (ans.dataErr == nil) != (wantErr == nil) {
				t.Fatalf("decodeAnswer(%q) data error %v, encoding/json %v", raw, ans.dataErr, wantErr)
			}
			if wantErr == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("decodeAnswer(%q) data %+v, encoding/json %+v", raw, got, want)
			}
		}
	})
}
