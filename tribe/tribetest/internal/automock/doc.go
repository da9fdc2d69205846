// Package automock is how package tribetest makes up the value of a field
// it has no answer for, in pure functions of a schema and a seed: no
// clock, no randomness, no server. The same object gets the same values
// on every run and from every server.
//
//   - seeds: [EntitySeed] of an object's type and id, [HashString] and
//     [HashIndex] for a field of it and an item of a list, [GenID] for a
//     made-up id shaped like Tribe's;
//   - scalars: [Scalar], a plausible value of a scalar type for a field,
//     written straight into an answer ([Value.AppendJSON]) or boxed
//     ([Value.Box]);
//   - name-shaped strings: [AppendSpecial], an email for a field named
//     email, a URL for url, a slug, a locale, a color…; [Str], the
//     readable "Type N field" otherwise;
//   - connections and paging: [Page], the one rule of limit, offset, after
//     and before, with [Cursor] positions; [Info] knows, once per schema,
//     which types are connections (by [graphql.Schema.Connection]), which
//     have ids, and which fields link to an object by the id in a
//     sibling field.
//
// It is a package of its own so that what is made up is apart from where
// it is answered (the server's fixtures, store and overrides, in package
// tribetest), and from how GraphQL is executed (package graphql, which
// knows nothing of mocking).
package automock
