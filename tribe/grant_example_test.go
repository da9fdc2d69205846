package tribe_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// A token for any user of a community, by your product's id for them, with
// Tribe's tribe:client_secret_credentials grant.
func ExampleExchangeGrant() {
	srv := tribetest.NewServer() // stands in for https://community.example.com
	defer srv.Close()

	g := &tribe.ExchangeGrant{
		CommunityURL: srv.URL,
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
		ExternalID:   "ext-carol",
	}
	ts, err := g.TokenSource(context.Background())
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

// A wrong password is the server's invalid_grant, an [*tribe.OAuthError]
// that matches [tribe.ErrUnauthorized].
func ExamplePasswordGrant_wrongPassword() {
	srv := tribetest.NewServer()
	defer srv.Close()

	g := &tribe.PasswordGrant{
		CommunityURL: srv.URL,
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
		Username:     "carol@example.com",
		Password:     "not-her-password",
	}
	_, err := g.Token(context.Background())
	var oe *tribe.OAuthError
	if errors.As(err, &oe) {
		fmt.Println(oe.Code, oe.StatusCode, errors.Is(err, tribe.ErrUnauthorized))
	}
	// Output: invalid_grant 400 true
}
