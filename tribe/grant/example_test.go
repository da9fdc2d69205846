package grant_test

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/grant"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// memberID asks the mock community who a token acts as.
func memberID(srv *tribetest.Server, ts oauth2.TokenSource) (string, error) {
	c, err := tribe.NewClient(ts, tribe.ClientConfig{Endpoint: srv.GraphQLURL()})
	if err != nil {
		return "", err
	}
	m, err := c.AuthMember(context.Background())
	if err != nil {
		return "", err
	}
	return m.ID, nil
}

// A user's token from their username (or email) and password, as a phone
// app or a custom login form would get it.
func ExampleConfig_PasswordToken() {
	srv := tribetest.NewServer() // stands in for https://community.example.com
	defer srv.Close()

	conf := &grant.Config{
		CommunityURL: srv.URL,
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
	}
	tok, err := conf.PasswordToken(context.Background(), "carol@example.com", tribetest.DefaultPassword)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Type(), tok.RefreshToken != "")
	id, err := memberID(srv, oauth2.StaticTokenSource(tok))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id)
	// Output:
	// Bearer true
	// mem-carol
}

// A token for any user of a community, named by email, with Tribe's
// tribe:client_secret_credentials grant.
func ExampleConfig_UserToken() {
	srv := tribetest.NewServer()
	defer srv.Close()

	conf := &grant.Config{
		CommunityURL: srv.URL,
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
	}
	tok, err := conf.UserToken(context.Background(), grant.User{Email: "carol@example.com"})
	if err != nil {
		fmt.Println(err)
		return
	}
	id, err := memberID(srv, oauth2.StaticTokenSource(tok))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id)
	// Output: mem-carol
}

// A token source that keeps a token fresh from a refresh token alone, as a
// process that stored one would. Tribe rotates refresh tokens: keep the
// RefreshToken of the newest token, not the one you started with.
func ExampleConfig_TokenSource() {
	srv := tribetest.NewServer()
	defer srv.Close()

	conf := &grant.Config{
		CommunityURL: srv.URL,
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
	}
	first, err := conf.PasswordToken(context.Background(), "carol", tribetest.DefaultPassword)
	if err != nil {
		fmt.Println(err)
		return
	}
	ts, err := conf.TokenSource(context.Background(), first.RefreshToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := ts.Token()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rotated:", tok.RefreshToken != first.RefreshToken)
	id, err := memberID(srv, ts)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id)
	// Output:
	// rotated: true
	// mem-carol
}

// A token source for any user of a community, by your product's id for
// them, with Tribe's tribe:client_secret_credentials grant.
func ExampleConfig_UserTokenSource() {
	srv := tribetest.NewServer()
	defer srv.Close()

	conf := &grant.Config{
		CommunityURL: srv.URL,
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
	}
	ts, err := conf.UserTokenSource(context.Background(), grant.User{ExternalID: "ext-carol"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := tribe.NewClient(ts, tribe.ClientConfig{Endpoint: srv.GraphQLURL()})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, err := c.AuthMember(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.ID, m.ExternalID)
	// Output: mem-carol ext-carol
}

// A wrong password is the server's invalid_grant, a [*grant.Error] that
// matches [tribe.ErrUnauthorized].
func ExampleConfig_PasswordToken_wrongPassword() {
	srv := tribetest.NewServer()
	defer srv.Close()

	conf := &grant.Config{
		CommunityURL: srv.URL,
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
	}
	_, err := conf.PasswordToken(context.Background(), "carol@example.com", "not-her-password")
	var oe *grant.Error
	if errors.As(err, &oe) {
		fmt.Println(oe.Code, oe.StatusCode, errors.Is(err, tribe.ErrUnauthorized))
	}
	// Output: invalid_grant 400 true
}
