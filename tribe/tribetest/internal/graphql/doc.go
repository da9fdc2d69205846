// Package graphql is the GraphQL engine of package tribetest: it reads
// GraphQL-over-HTTP requests, parses, bounds and validates their queries
// (once per query text, in a bounded cache), coerces their variables,
// collects their fields, executes operations over objects and a
// [Resolver] that another package supplies, answers introspection, and
// measures an operation's cost and complexity before it runs. It knows
// nothing of Tribe, of fixtures or of mocking: the mock server is one
// [Resolver] among possible others, and the codes of the errors the engine
// answers are the caller's ([Codes]).
//
// It is one package rather than graphql-go's internal/query, validation
// and exec: its parts share the parsed [Query], which keeps for its
// requests what each part computed once (the plan of its fields, the
// coerced variables, the cost, the complexity). gqlgen's executor and
// complexity packages are the model for its surface: a [Cache] of parsed
// queries, an executor over a [Resolver], and complexity as a pure
// function of an operation.
//
// Each rule is stated once: [Included] is the one evaluation of @skip and
// @include (GraphQL, section 3.13), used by field collection, complexity
// and the plan alike; [Schema.Connection] is the one answer to "is this
// type a connection", used by the cost and complexity walks and by mocks;
// [Query.RootFields] and the executor's sub-selections are the one
// CollectFields (GraphQL, section 6.3.2).
//
// Start with [NewSchema] and [NewCache]; a request then goes [Cache.ReadParams],
// [Cache.Get], [Query.Operation], [Query.Coerce], [Query.Cost],
// [Query.RootFields], [Query.Complexity] and [Query.Execute].
//
// The specification is at https://spec.graphql.org/October2021/ and the
// transport at https://graphql.github.io/graphql-over-http/draft/.
package graphql
