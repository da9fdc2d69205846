package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/grant"
)

// oauthFlags name Tribe's v1 OAuth2 token endpoint and how a grant's token
// is printed.
type oauthFlags struct {
	community, tokenURL string
	withRefresh         bool
	insecure            bool
	output              string
}

// add registers the flags on cmd.
func (f *oauthFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.community, "community", "", "community base `URL`; the token endpoint is URL"+grant.TokenPath+" (default $TRIBE_COMMUNITY_URL)")
	cmd.Flags().StringVar(&f.tokenURL, "token-url", "", "token endpoint's full `URL`, instead of --community")
	cmd.Flags().BoolVar(&f.withRefresh, "with-refresh-token", false, "also print the refresh token (json and env output only)")
	addInsecureFlag(cmd, &f.insecure)
	addOutputFlag(cmd, &f.output, outToken, outJSON, outEnv)
}

// endpoint returns the community URL and token URL to use, refused if plain
// http to a host that is not loopback without --insecure-http.
func (f *oauthFlags) endpoint(e *env) (community, tokenURL string, err error) {
	var from urlFrom
	switch {
	case f.community != "" && f.tokenURL != "":
		return "", "", usagef("--community and --token-url both name the token endpoint; give one of them")
	case f.community != "":
		community, from = f.community, urlFrom{"--community", f.community}
	case f.tokenURL != "":
		tokenURL, from = f.tokenURL, urlFrom{"--token-url", f.tokenURL}
	case e.getenv("TRIBE_COMMUNITY_URL") != "":
		community = e.getenv("TRIBE_COMMUNITY_URL")
		from = urlFrom{"TRIBE_COMMUNITY_URL", community}
	default:
		return "", "", usagef("no token endpoint: pass --community URL (e.g. https://community.example.com), set TRIBE_COMMUNITY_URL, or pass --token-url URL")
	}
	if err := e.checkURLs(f.insecure, from); err != nil {
		return "", "", err
	}
	return community, tokenURL, nil
}

// config returns the token endpoint's config for the grants.
func (f *oauthFlags) config(e *env, community, tokenURL, id, secret string) *grant.Config {
	return &grant.Config{CommunityURL: community, TokenURL: tokenURL, ClientID: id, ClientSecret: secret, AllowInsecureHTTP: f.insecure, HTTPClient: e.httpClient()}
}

// check refuses bad output settings.
func (f *oauthFlags) check() error {
	if err := checkOutput(f.output, outToken, outJSON, outEnv); err != nil {
		return err
	}
	if f.withRefresh && f.output == outToken {
		return usagef("--with-refresh-token needs --output json or env; the token output is the access token alone")
	}
	return nil
}

// write prints a grant's token, and its refresh token if asked.
func (f *oauthFlags) write(e *env, tok *oauth2.Token, identity string) error {
	out := newTokenOutput(tok, identity)
	if f.withRefresh {
		out.RefreshToken = tok.RefreshToken
	}
	return writeToken(e.stdout, f.output, out)
}

// grantError adds what to do to a refused grant.
func grantError(err error, what string) error {
	var oe *grant.Error
	switch {
	case errors.Is(err, tribe.ErrInvalidInput):
		return err
	case errors.As(err, &oe) && oe.Code == grant.InvalidClient:
		return withHint(err, "the client id and secret are read from TRIBE_CLIENT_ID and TRIBE_CLIENT_SECRET (or --client-secret-file)")
	case errors.Is(err, tribe.ErrUnauthorized):
		return withHint(err, what)
	case errors.Is(err, tribe.ErrForbidden):
		return withHint(err, "the client may not use this grant on this community (an IP allow-list?)")
	}
	return err
}

// newPasswordCmd builds "password".
func (e *env) newPasswordCmd() *cobra.Command {
	var (
		app      appFlags
		of       oauthFlags
		username string
		pwFile   string
	)
	cmd := &cobra.Command{
		Use:   "password --community URL --username NAME",
		Short: "Get a user's token with the OAuth2 password grant",
		Long: `Get a token for a user from their username (or email) and password with the
OAuth2 password grant at the community's v1 token endpoint (URL/api/v1/oauth/token).

The password comes from TRIBE_PASSWORD or --password-file; the app's client id
and secret from TRIBE_CLIENT_ID / --client-id and TRIBE_CLIENT_SECRET /
--client-secret-file.`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  TRIBE_PASSWORD=... tribe-token password --community https://community.example.com --username alice
  tribe-token password --token-url http://127.0.0.1:8080/api/v1/oauth/token --username alice --password-file - < pw.txt
  tribe-token password --community https://community.example.com --username alice -o json --with-refresh-token`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := of.check(); err != nil {
				return err
			}
			community, tokenURL, err := of.endpoint(e)
			if err != nil {
				return err
			}
			if strings.TrimSpace(username) == "" {
				return usagef("no username: pass --username NAME (a username or an email)")
			}
			id, secret, err := app.credentials(e)
			if err != nil {
				return err
			}
			password, err := e.secret(secretSpec{what: "password", envVar: "TRIBE_PASSWORD", fileArg: "password-file", file: pwFile})
			if err != nil {
				return err
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			tok, err := of.config(e, community, tokenURL, id, secret).PasswordToken(ctx, username, password)
			if err != nil {
				return grantError(err, "the password is read from TRIBE_PASSWORD or --password-file")
			}
			return of.write(e, tok, "user "+username)
		}),
	}
	cmd.Flags().StringVar(&username, "username", "", "the user's username or email; required")
	cmd.Flags().StringVar(&pwFile, "password-file", "", "read the password from `FILE` (- for stdin; default $TRIBE_PASSWORD)")
	app.add(cmd)
	of.add(cmd)
	return cmd
}

// newExchangeCmd builds "exchange".
func (e *env) newExchangeCmd() *cobra.Command {
	var (
		app                       appFlags
		of                        oauthFlags
		email, userID, externalID string
	)
	cmd := &cobra.Command{
		Use:   "exchange --community URL (--email ADDR | --user-id ID | --external-id ID)",
		Short: "Get any user's token with the app's client secret",
		Long: `Get a token for any user of a community with Tribe's grant
tribe:client_secret_credentials at the v1 token endpoint: the app's client id
and secret, and exactly one of --email, --user-id (Tribe's member id) or
--external-id (your product's id for the user).`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=...
  tribe-token exchange --community https://community.example.com --email alice@example.com
  tribe-token exchange --community https://community.example.com --external-id u-42 -o env`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := of.check(); err != nil {
				return err
			}
			community, tokenURL, err := of.endpoint(e)
			if err != nil {
				return err
			}
			var given []string
			for _, f := range []struct{ flag, v string }{{"--email", email}, {"--user-id", userID}, {"--external-id", externalID}} {
				if f.v != "" {
					given = append(given, f.flag)
				}
			}
			switch len(given) {
			case 0:
				return usagef("name the user: give one of --email, --user-id or --external-id")
			case 1:
			default:
				return usagef("give only one of --email, --user-id or --external-id, not %s", strings.Join(given, " and "))
			}
			id, secret, err := app.credentials(e)
			if err != nil {
				return err
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			tok, err := of.config(e, community, tokenURL, id, secret).UserToken(ctx, grant.User{Email: email, UserID: userID, ExternalID: externalID})
			if err != nil {
				return grantError(err, "is the user a member of the community?")
			}
			who := map[string]string{"--email": "email " + email, "--user-id": "user " + userID, "--external-id": "external id " + externalID}[given[0]]
			return of.write(e, tok, who)
		}),
	}
	cmd.Flags().StringVar(&email, "email", "", "the user's email address")
	cmd.Flags().StringVar(&userID, "user-id", "", "the user's Tribe member id")
	cmd.Flags().StringVar(&externalID, "external-id", "", "the user's id in your product")
	app.add(cmd)
	of.add(cmd)
	return cmd
}
