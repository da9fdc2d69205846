package grant

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
)

// FuzzOAuthErrorBody: whatever a token endpoint answers, a grant returns a
// token or an error of this package, never panics, and no error reachable
// from it holds the client secret, the password or the refresh token it was
// given, literally or URL-encoded.
func FuzzOAuthErrorBody(f *testing.F) {
	f.Add(400, "application/json", `{"error":"invalid_grant","error_description":"bad password p4ssw0rd-1"}`)
	f.Add(401, "application/json", `{"error":"invalid_client","error_description":"client_secret=cl13nt-s3cr3t"}`)
	f.Add(200, "application/json", `{"access_token":"a","token_type":"bearer","expires_in":"x"}`)
	f.Add(200, "application/x-www-form-urlencoded", `access_token=a&refresh_token=r`)
	f.Add(500, "text/html", `<html>cl13nt%2Ds3cr3t</html>`)
	f.Add(307, "text/plain", ``)
	f.Add(200, "application/json", `{"error":"x"}`)
	secrets := []string{"cl13nt-s3cr3t", "p4ssw0rd-1", "r3fr3sh-t0k3n"}
	f.Fuzz(func(t *testing.T, status int, ctype, body string) {
		if status < 100 || status > 999 {
			status = 400
		}
		hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {ctype}},
				Body: io.NopCloser(bytes.NewReader([]byte(body))), Request: r}, nil
		})}
		c := &Config{TokenURL: "https://c.example/t", ClientID: "id", ClientSecret: secrets[0], HTTPClient: hc, Retry: tribe.RetryPolicy{MaxAttempts: 1}}
		ctx := context.Background()
		for i, run := range []func() error{
			func() error {
				_, err := c.PasswordToken(ctx, "u", secrets[1])
				return err
			},
			func() error {
				_, err := c.Refresh(ctx, secrets[2])
				return err
			},
		} {
			err := run()
			if err == nil {
				continue
			}
			if !strings.HasPrefix(err.Error(), "grant: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			known := []string{secrets[0], secrets[1+i]} // what this grant was given
			testenv.EachError(err, func(e error) {
				for _, s := range known {
					for _, form := range []string{s, url.QueryEscape(s)} {
						if strings.Contains(e.Error(), form) {
							t.Fatalf("secret %q in a reachable error %T: %s", form, e, e.Error())
						}
					}
				}
			})
		}
	})
}
