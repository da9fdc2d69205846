//go:build !race

package graphql_test

// raceEnabled reports that the tests run with the race detector, which
// slows every step: tests that bound CPU time allow for it.
const raceEnabled = false
