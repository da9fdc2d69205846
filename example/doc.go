// Package example shows an app's own GraphQL operations against Tribe with
// genqlient: list spaces, create a post as a member, react to it, read it
// back. operations.graphql holds the operations, genqlient.yaml the
// settings, and generated.go the code genqlient wrote for them (committed,
// never edited by hand). example_test.go runs them against the mock server
// of package tribetest serving Tribe's published schema.
//
// To do the same in your app:
//
//	tribe-token schema pull -o schema.graphql   # Tribe's schema, for genqlient
//	go run github.com/Khan/genqlient            # with a genqlient.yaml like this one
//
// genqlient v0.8.1 does not build on Go 1.25 or later with the
// golang.org/x/tools it asks for (v0.24.0): require a newer x/tools in the
// module you run it from, as this repository's .ci/tools module does.
package example

//go:generate sh gen.sh
