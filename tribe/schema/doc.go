// Package schema gets Tribe's GraphQL schema, to generate typed code for
// your own operations with genqlient (https://github.com/Khan/genqlient),
// and loads one for the mock server.
//
// # Where to start
//
// [Pull] introspects an endpoint (the real API, a region, or the mock of
// package tribetest) and returns its schema; [Format] prints it as stable,
// sorted SDL, the file genqlient's schema setting names:
//
//	s, err := schema.Pull(ctx, schema.Config{Endpoint: tribe.EndpointUS, TokenSource: ts})
//	os.WriteFile("schema.graphql", []byte(schema.Format(s)), 0o644)
//
// [PullIntrospection] returns the introspection answer itself, the JSON
// form of a schema ({"data": {"__schema": …}}). The CLI does both:
// tribe-token schema pull --file schema.graphql writes the SDL, and -o json
// the JSON.
//
// [Load] reads a schema from SDL or from an introspection result (the JSON
// a server answers the standard introspection query with), such as the
// published one: the npm package @tribeplatform/gql-client ships it as
// schema.generated.gql.
package schema
