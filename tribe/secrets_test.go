package tribe_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestNoSecretInAnyError drives every error path of minting and of calls
// made with a token, and checks that no client secret or access token
// appears, literally, URL-encoded or in base64, in the text, %v, %+v or %#v
// of the error or of any error errors.Unwrap reaches from it, even when the
// server echoes them.
func TestNoSecretInAnyError(t *testing.T) {
	srv, app := newMintServer(t)
	ctx := context.Background()
	secret := tribetest.DefaultClientSecret
	tok, err := app.Mint(ctx, tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	access := tok.AccessToken
	noRetry := *app
	noRetry.Retry = tribe.RetryPolicy{MaxAttempts: 1}
	basic := base64.StdEncoding.EncodeToString([]byte(tribetest.DefaultClientID + ":" + secret))
	echo := fmt.Sprintf(`{"errors":[{"message":"bad credentials %s for Basic %s, token %s"}]}`, secret, secret, access)
	// The same, in the forms a server may echo them in: URL-encoded, and a
	// Basic header's base64 without its scheme word.
	echoEncoded := fmt.Sprintf(`{"errors":[{"message":"form client_secret=%s&x=%s; header %s"}],"extensions":{"auth":%q}}`,
		url.QueryEscape(secret), strings.ToLower(url.QueryEscape(secret)), basic, "Basic "+basic)
	echoTokenEncoded := fmt.Sprintf(`{"errors":[{"message":"token %s or %s"}]}`, url.QueryEscape(access), base64.StdEncoding.EncodeToString([]byte(access)))
	// A client made from a bare token source knows no client secret, only
	// the token it sent.
	echoToken := fmt.Sprintf(`{"errors":[{"message":"token %s is bad"}]}`, access)

	mintErr := func(fault *tribetest.Fault, a *tribe.App, id tribe.Identity) func() error {
		return func() error {
			if fault != nil {
				require.NoError(t, srv.Fail("limitedToken", *fault))
			}
			_, err := a.Mint(ctx, id)
			return err
		}
	}
	callErr := func(fault *tribetest.Fault, tok *oauth2.Token) func() error {
		return func() error {
			if fault != nil {
				require.NoError(t, srv.Fail("authMember", *fault))
			}
			c, err := tribe.NewClient(staticSource{tok}, tribe.ClientConfig{Endpoint: srv.GraphQLURL(), HTTPClient: srv.Client()})
			require.NoError(t, err)
			_, err = c.AuthMember(ctx)
			return err
		}
	}
	appCallErr := func(fault tribetest.Fault) func() error {
		return func() error {
			c, err := appClient(ctx, app, tribe.Bot(tribetest.DefaultNetworkID))
			require.NoError(t, err)
			require.NoError(t, srv.Fail("authMember", fault))
			_, err = c.AuthMember(ctx)
			return err
		}
	}
	wrong := *app
	wrong.ClientSecret = secret + "-wrong"
	revoked, err := app.Mint(ctx, tribe.Bot(tribetest.DefaultNetworkID))
	require.NoError(t, err)
	require.NoError(t, srv.Revoke(revoked.AccessToken))
	dead := &tribe.App{ClientID: "id", ClientSecret: secret, Endpoint: "http://127.0.0.1:1/graphql", Retry: tribe.RetryPolicy{MaxAttempts: 1}}

	paths := map[string]func() error{
		"bad input":                    mintErr(nil, &tribe.App{ClientID: "a:b", ClientSecret: secret, Endpoint: "https://x:" + secret + "@h/"}, tribe.Bot("n")),
		"plain http endpoint":          mintErr(nil, &tribe.App{Endpoint: "http://id:" + secret + "@example.com/graphql"}, tribe.Bot("n")),
		"wrong secret (401)":           mintErr(nil, &wrong, tribe.Bot(tribetest.DefaultNetworkID)),
		"forbidden (102)":              mintErr(nil, app, tribe.Bot(tribetest.OtherNetworkID)),
		"not found (110)":              mintErr(nil, app, tribe.Impersonate(tribetest.DefaultNetworkID, "nobody")),
		"HTTP 500 echoing them":        mintErr(&tribetest.Fault{Status: 500, Body: echo}, &noRetry, tribe.Bot(tribetest.DefaultNetworkID)),
		"HTTP 200 errors echoing them": mintErr(&tribetest.Fault{Body: echo}, &noRetry, tribe.Bot(tribetest.DefaultNetworkID)),
		"429 after retries":            mintErr(&tribetest.Fault{Status: 429, Times: 4}, app, tribe.Bot(tribetest.DefaultNetworkID)),
		"non-JSON body":                mintErr(&tribetest.Fault{NonJSON: true}, &noRetry, tribe.Bot(tribetest.DefaultNetworkID)),
		"truncated body":               mintErr(&tribetest.Fault{Truncate: true}, &noRetry, tribe.Bot(tribetest.DefaultNetworkID)),
		"dropped connection":           mintErr(&tribetest.Fault{Drop: true}, &noRetry, tribe.Bot(tribetest.DefaultNetworkID)),
		"network error":                mintErr(nil, dead, tribe.Bot("n")),
		"revoked token (108)":          callErr(nil, revoked),
		"call HTTP 502 echoing":        callErr(&tribetest.Fault{Status: 502, Body: echoToken}, tok),
		"call errors echoing":          callErr(&tribetest.Fault{Body: echoToken}, tok),
		"app client echoing":           appCallErr(tribetest.Fault{Status: 503, Body: echo}),
		"app client errors echoing":    appCallErr(tribetest.Fault{Body: echo}),
		"call truncated":               callErr(&tribetest.Fault{Truncate: true}, tok),
		"expired token given":          callErr(nil, &oauth2.Token{AccessToken: access, Expiry: srv.Now().Add(-1)}),
		"HTTP 500 echoing encoded":     mintErr(&tribetest.Fault{Status: 500, Body: echoEncoded}, &noRetry, tribe.Bot(tribetest.DefaultNetworkID)),
		"errors echoing encoded":       mintErr(&tribetest.Fault{Body: echoEncoded}, &noRetry, tribe.Bot(tribetest.DefaultNetworkID)),
		"call echoing encoded":         callErr(&tribetest.Fault{Body: echoTokenEncoded}, tok),
		"call 502 echoing encoded":     callErr(&tribetest.Fault{Status: 502, Body: echoTokenEncoded}, tok),
	}
	for name, run := range paths {
		t.Run(name, func(t *testing.T) {
			err := run()
			require.Error(t, err)
			forms := testenv.SecretForms(secret, access, revoked.AccessToken, basic)
			testenv.EachError(err, func(e error) {
				for _, text := range []string{e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
					for _, f := range forms {
						assert.NotContains(t, text, f, "in a %T reachable from the error", e)
					}
				}
			})
			assert.True(t, strings.HasPrefix(err.Error(), "tribe: "), err.Error())
		})
	}
}
