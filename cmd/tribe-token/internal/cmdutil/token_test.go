package cmdutil

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/tribe"
)

// TestCommandTokenHidesSecrets: no way of formatting a CommandToken or its
// Endpoint shows the token the user gave or the credentials in the
// endpoint's URL.
func TestCommandTokenHidesSecrets(t *testing.T) {
	const (
		given  = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYXJvbCJ9.c2VjcmV0LXNpZ25hdHVyZQ"
		secret = "s3cr3t-client-secret"
	)
	ep := Endpoint{URL: "http://app-id:" + secret + "@127.0.0.1:4000/graphql", Source: "--endpoint"}
	tokens := []*CommandToken{
		{Endpoint: ep, Given: given, GivenFrom: "TRIBE_TOKEN"},
		{Endpoint: ep, Identity: tribe.Impersonate("net-acme", "mem-carol"), NetworkSource: "--network"},
	}
	for _, ct := range tokens {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			for _, v := range []any{ct, *ct, ct.Endpoint} {
				out := fmt.Sprintf(verb, v)
				assert.NotContains(t, out, given, verb)
				assert.NotContains(t, out, secret, verb)
				assert.Contains(t, out, "127.0.0.1:4000/graphql", "the endpoint is still named: %s", out)
			}
		}
	}
	assert.Contains(t, tokens[0].String(), redact.Marker+" from TRIBE_TOKEN")
	assert.Contains(t, tokens[1].String(), "mem-carol")
}
