package passthrough_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/passthrough"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// A product without JWTs of its own signs one for Tribe's JWT passthrough
// with the HS256 secret configured on the community. An unknown user is
// created from the claims.
func ExampleSigner() {
	const secret = "the-community's-hs256-secret-32+bytes"
	fx := tribetest.DefaultFixtures()
	fx.Networks[0].JWT = &tribetest.JWTConfig{HS256Secret: secret}
	srv := tribetest.NewServer(tribetest.WithFixtures(fx))
	defer srv.Close()

	s := &passthrough.Signer{Secret: []byte(secret)} // JWTs live passthrough.DefaultLifetime
	ts, err := s.TokenSource(passthrough.User{ID: "u-42", Name: "Ada Lovelace", Email: "ada@example.com"})
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
	fmt.Println(m.Name, m.ExternalID)
	// Output: Ada Lovelace u-42
}

// Check names every claim Tribe needs that a JWT lacks.
func ExampleCheck() {
	// {"alg":"HS256"}.{"sub":"u-42"}.signature
	_, err := passthrough.Check("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTQyIn0.c2lnbmF0dXJl")
	var je *passthrough.Error
	if errors.As(err, &je) {
		fmt.Println(je.Fields())
	}
	// Output: [name iat email]
}
