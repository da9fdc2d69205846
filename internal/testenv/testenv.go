// Package testenv finds the outside resources some tests need, and decides
// what a test does without one: on a developer's machine it skips with a
// message that says how to provide it; in CI, where the variable
// TRIBEKIT_REQUIRE_<NAME>=1 is set, it fails, so that a skipped test cannot
// pass for a run one.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// PublishedSchemaVar names the file Tribe's published GraphQL schema is
// read from: schema.generated.gql of the npm package
// @tribeplatform/gql-client@2.4.0.
const PublishedSchemaVar = "TRIBEKIT_PUBLISHED_SCHEMA"

// PublishedSchema returns the path of the published schema, or skips (or,
// in CI, fails) t when it is not given.
func PublishedSchema(t testing.TB) string {
	t.Helper()
	path := os.Getenv(PublishedSchemaVar)
	if path != "" {
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s=%s: %v", PublishedSchemaVar, path, err)
		}
		return path
	}
	missing(t, "PUBLISHED_SCHEMA", "the published Tribe schema is needed: run\n"+
		"  cd \"$(mktemp -d)\" && npm pack @tribeplatform/gql-client@2.4.0 && tar xzf tribeplatform-gql-client-2.4.0.tgz\n"+
		"and set "+PublishedSchemaVar+"=$PWD/package/schema.generated.gql")
	return ""
}

// RedisServer returns the path of redis-server, or skips (or, in CI,
// fails) t when it is not on PATH.
func RedisServer(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err == nil {
		return path
	}
	missing(t, "REDIS", "redis-server is needed and not on PATH: install it (Debian: apt-get install redis-server) and run the tests again")
	return ""
}

// missing fails t when TRIBEKIT_REQUIRE_<name> is set, and skips it
// otherwise.
func missing(t testing.TB, name, how string) {
	t.Helper()
	if os.Getenv("TRIBEKIT_REQUIRE_"+name) != "" {
		t.Fatalf("TRIBEKIT_REQUIRE_%s is set, but %s", name, how)
	}
	t.Skip(how)
}

// NodeNPM returns the paths of node and npm, or skips (or, in CI with
// TRIBEKIT_REQUIRE_NODE=1, fails) t when either is not on PATH.
func NodeNPM(t testing.TB) (node, npm string) {
	t.Helper()
	node, err1 := exec.LookPath("node")
	npm, err2 := exec.LookPath("npm")
	if err1 == nil && err2 == nil {
		return node, npm
	}
	missing(t, "NODE", "node and npm are needed and not both on PATH: install Node.js (Debian: apt-get install nodejs npm) and run the tests again")
	return "", ""
}
