// Package tribekit holds what the toolkit's packages share: the GraphQL
// schema of the Tribe (Bettermode) API subset that package tribe is generated
// from and that package tribetest validates every request against.
//
// The library is package [github.com/tribekit/tribekit/tribe]; the test server
// is [github.com/tribekit/tribekit/tribe/tribetest].
package tribekit

import _ "embed"

//go:embed schema.graphql
var schema string

// Schema returns the text of schema.graphql, the subset of Tribe's GraphQL
// schema this toolkit speaks (https://developers.bettermode.com/docs/guide/graphql/authentication/app; the schema @tribeplatform/gql-client publishes).
func Schema() string { return schema }
