package tribe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

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

// FuzzJWTExpiry: any string is read without panicking.
func FuzzJWTExpiry(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		JWTExpiry(s)
		jwtIssuedAt(s)
	})
}
