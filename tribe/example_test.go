package tribe_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// Mint a token for a member and ask the API who it acts as, against the
// mock server. Against the real API, leave Endpoint empty (or use
// tribe.EndpointUS / tribe.EndpointEU) and use your app's credentials.
func Example() {
	srv := tribetest.NewServer()
	defer srv.Close()

	app := &tribe.App{
		ClientID:     tribetest.DefaultClientID,
		ClientSecret: tribetest.DefaultClientSecret,
		Endpoint:     srv.GraphQLURL(),
	}
	ctx := context.Background()

	ts, err := app.TokenSource(ctx, tribe.Impersonate(tribetest.DefaultNetworkID, tribetest.PlainMemberID))
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
	fmt.Println(me.ID, me.Role.Type, me.NetworkID)
	// Output: mem-carol member net-acme
}

func ExampleApp_Mint() {
	srv := tribetest.NewServer()
	defer srv.Close()
	app := &tribe.App{ClientID: tribetest.DefaultClientID, ClientSecret: tribetest.DefaultClientSecret, Endpoint: srv.GraphQLURL()}

	tok, err := app.Mint(context.Background(), tribe.Bot(tribetest.DefaultNetworkID))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Type(), tok.Expiry.After(srv.Now()), tribe.GatewayURL(tok) == srv.GatewayURL(tribetest.DefaultNetworkID))

	// An app that is not installed on the community is refused.
	_, err = app.Mint(context.Background(), tribe.Bot(tribetest.OtherNetworkID))
	fmt.Println(err)
	// Output:
	// Bearer true true
	// tribe: minting a token for bot@net-other: limitedToken: Forbidden (code 102) at limitedToken
}
