// Package example shows an app's own GraphQL operations against Tribe with
// genqlient: list spaces, create a post as a member, react to it, read it
// back. operations.graphql holds the operations, genqlient.yaml the
// settings, and generated.go the code genqlient wrote for them (committed,
// never edited by hand). example_test.go runs them against the mock server
// of package tribetest serving Tribe's published schema.
//
// To do the same in a module of your own, add genqlient as a tool with a
// golang.org/x/tools that builds on your Go (genqlient v0.8.1 asks for
// v0.24.0, which does not build on Go 1.25 or later), pull the schema, and
// run it:
//
//	go get -tool github.com/Khan/genqlient@v0.8.1
//	go get golang.org/x/tools@v0.52.0
//	tribe-token schema pull --network "$TRIBE_NETWORK_ID" --file schema.graphql
//	go tool genqlient   # with a genqlient.yaml like this one
//
// The README's "Your own operations, with genqlient" is the whole recipe,
// main.go included.
package example

//go:generate sh gen.sh
