package grant

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/internal/testenv"
)

// Every config and every error of the grants, formatted every way, holds no
// secret, password or token.
func TestNoSecretInAnyTextOfConfigsAndErrors(t *testing.T) {
	const (
		secret   = "CLIENT-SECRET-9f8e7d"
		password = "USER-PASSWORD-1a2b3c"
		refresh  = "REFRESH-TOKEN-4d5e6f"
		access   = "ACCESS-TOKEN-7a8b9c"
	)
	// Any JWT, as Tribe's tokens are, is hidden even when the server was
	// never sent it.
	signed := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTQyIn0.c2lnbmF0dXJlLXNlY3JldA"
	secrets := []string{secret, password, refresh, access, signed, strings.Split(signed, ".")[2]}

	// A token endpoint that echoes whatever it is sent, every way it can.
	var mode string
	srv := newTokenServer(t, func(f url.Values) (int, any) {
		// It cannot know an opaque token it was never sent, but any JWT
		// (as Tribe's tokens are) is hidden.
		echo := strings.Join([]string{f.Get("client_secret"), f.Get("password"), f.Get("refresh_token"), signed}, " ")
		switch mode {
		case "ok":
			return http.StatusOK, tokenAnswer(access, refresh, 3600)
		case "html":
			return http.StatusInternalServerError, "<p>" + echo + "</p>"
		case "no-code":
			return http.StatusUnauthorized, map[string]any{"message": echo}
		default:
			return http.StatusBadRequest, map[string]any{"error": mode, "error_description": echo, "error_uri": "https://x.example/" + secret}
		}
	})
	c := Config{CommunityURL: srv.URL, ClientID: "cid", ClientSecret: secret}
	ctx := context.Background()

	var values []any
	values = append(values, c, &c,
		Config{CommunityURL: "https://id:" + secret + "@c.example.com?client_secret=" + secret},
		Config{TokenURL: "https://c.example.com/t?refresh_token=" + refresh, ClientSecret: secret},
		&Config{TokenURL: "https://id:" + secret + "@c.example.com/t#" + refresh, ClientSecret: secret, AllowInsecureHTTP: true, UserAgent: "app/1"},
		Config{CommunityURL: "https://c.example.com/" + secret, ClientSecret: secret})

	var errs []error
	collect := func(_ any, err error) { errs = append(errs, err) }
	for _, m := range []string{"invalid_client", "invalid_grant", "access_denied", "invalid_request", "html", "no-code"} {
		mode = m
		collect(c.PasswordToken(ctx, "ada", password))
		collect(c.UserToken(ctx, User{Email: "ada@example.com"}))
		collect(c.Refresh(ctx, refresh))
		ts, err := c.TokenSource(ctx, refresh)
		require.NoError(t, err)
		collect(ts.Token())
		ts, err = c.PasswordTokenSource(ctx, "ada", password)
		require.NoError(t, err)
		collect(ts.Token())
		ts, err = c.UserTokenSource(ctx, User{ExternalID: "x-1"})
		require.NoError(t, err)
		collect(ts.Token())
	}
	// Bad input carrying secrets.
	for _, g := range []Config{
		{CommunityURL: "https://id:" + secret + "@c.example.com", ClientID: "cid", ClientSecret: secret},
		{CommunityURL: "https://c.example.com?client_secret=" + secret, ClientID: "cid", ClientSecret: secret},
		{CommunityURL: "http://c.example.com/" + secret, ClientID: "cid", ClientSecret: secret},
		{CommunityURL: "ftp://c.example.com", TokenURL: "x", ClientID: "cid", ClientSecret: secret + "\n"},
		{CommunityURL: "https://c.example.com", ClientID: "cid", ClientSecret: secret + "\n"},
		{CommunityURL: "%zz" + secret, ClientID: "cid", ClientSecret: secret},
	} {
		collect(g.PasswordToken(ctx, "ada", password))
	}
	// A password or the secret pasted where an identifier goes.
	collect(c.PasswordToken(ctx, password+" ", password))
	collect(c.UserToken(ctx, User{Email: secret}))
	collect(c.Refresh(ctx, refresh+"\n"))
	// A server that is gone.
	gone := c
	gone.CommunityURL = "http://127.0.0.1:1"
	collect(gone.PasswordToken(ctx, "ada", password))

	testenv.NoSecretInText(t, "grant: ", errs, values, secrets)
}
