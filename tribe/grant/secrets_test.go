package grant_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/grant"
)

// TestNoSecretInAnyGrantError drives the error paths of the v1 grants
// against servers that echo what they were sent, in every form, and checks
// that no client secret, password, refresh or access token appears,
// literally, URL-encoded or in base64, in any error errors.Unwrap reaches.
func TestNoSecretInAnyGrantError(t *testing.T) {
	const secret, access = "client-secret-of-the-app", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnLWFjY2Vzcw"
	basic := base64.StdEncoding.EncodeToString([]byte("id:" + secret))
	for name, run := range grantErrorPaths(t, secret, access) {
		t.Run(name, func(t *testing.T) {
			err := run()
			require.Error(t, err)
			forms := testenv.SecretForms(secret, access, basic, grantPassword, grantRefresh)
			testenv.EachError(err, func(e error) {
				for _, text := range []string{e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
					for _, f := range forms {
						assert.NotContains(t, text, f, "in a %T reachable from the error", e)
					}
				}
			})
			assert.True(t, strings.HasPrefix(err.Error(), "grant: "), err.Error())
		})
	}
}

// Secrets the grant paths of TestNoSecretInAnyGrantError are given.
const (
	grantPassword = "p4ssw0rd-of-ann"
	grantRefresh  = "r3fr3sh-t0k3n-of-ann"
)

// grantErrorPaths are the error paths of the v1 OAuth grants, against
// servers that echo what they were sent, in every form.
func grantErrorPaths(t *testing.T, secret, access string) map[string]func() error {
	echoForm := func(status int, ctype string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = r.ParseForm()
			enc := r.PostForm.Encode()
			w.Header().Set("Content-Type", ctype)
			w.WriteHeader(status)
			if ctype == "application/json" {
				fmt.Fprintf(w, `{"error":"invalid_grant","error_description":%q,"error_uri":%q}`,
					"you sent "+enc+" and "+r.PostForm.Get("client_secret")+" "+base64.StdEncoding.EncodeToString([]byte("id:"+secret)),
					"https://x.example/?token="+access)
				return
			}
			fmt.Fprintf(w, "<html>%s %s %s</html>", enc, r.PostForm.Get("password"), r.PostForm.Get("refresh_token"))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:1/?client_secret="+url.QueryEscape(secret), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	once := tribe.RetryPolicy{MaxAttempts: 1}
	password := func(u string) func() error {
		return func() error {
			_, err := (&grant.Config{TokenURL: u, ClientID: "id", ClientSecret: secret, Retry: once}).PasswordToken(context.Background(), "ann", grantPassword)
			return err
		}
	}
	refresh := func(u string) func() error {
		return func() error {
			_, err := (&grant.Config{TokenURL: u, ClientID: "id", ClientSecret: secret, Retry: once}).Refresh(context.Background(), grantRefresh)
			return err
		}
	}
	user := func(u string) func() error {
		return func() error {
			_, err := (&grant.Config{TokenURL: u, ClientID: "id", ClientSecret: secret, Retry: once}).UserToken(context.Background(), grant.User{Email: "ann@example.com"})
			return err
		}
	}
	jsonEcho, htmlEcho := echoForm(400, "application/json"), echoForm(500, "text/html")
	return map[string]func() error{
		"password grant echoing JSON": password(jsonEcho.URL),
		"password grant echoing HTML": password(htmlEcho.URL),
		"refresh grant echoing JSON":  refresh(jsonEcho.URL),
		"user grant echoing JSON":     user(jsonEcho.URL),
		"user grant echoing HTML":     user(htmlEcho.URL),
		"user grant redirected":       user(redirect.URL),
		"refresh grant echoing HTML":  refresh(htmlEcho.URL),
		"password grant redirected":   password(redirect.URL),
		"refresh grant network error": refresh("http://127.0.0.1:1/token"),
		"password grant bad input": func() error {
			_, err := (&grant.Config{TokenURL: "http://h:" + secret + "@example.com/t", ClientID: "id", ClientSecret: secret}).PasswordToken(context.Background(), "ann", grantPassword)
			return err
		},
	}
}
