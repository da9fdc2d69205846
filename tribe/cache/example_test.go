package cache_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/cache"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// A cache mints a member's token once for many calls, and a client made
// with its token source mints again only when the API refuses the token.
func Example() {
	srv := tribetest.NewServer()
	defer srv.Close()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}

	c, err := cache.New(app, cache.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx := context.Background()
	carol := tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID)
	for range 3 {
		if _, err := c.Token(ctx, carol); err != nil {
			log.Fatal(err)
		}
	}
	ts, err := c.TokenSource(ctx, carol)
	if err != nil {
		log.Fatal(err)
	}
	client, err := app.Client(ctx, ts)
	if err != nil {
		log.Fatal(err)
	}
	me, err := client.AuthMember(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.ID, "mints:", srv.Count("limitedToken"))
	// Output: mem-carol mints: 1
}
