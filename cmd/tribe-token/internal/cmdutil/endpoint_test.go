package cmdutil

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/tribe"
)

func TestEndpointExplain(t *testing.T) {
	notFound := &tribe.HTTPError{Operation: "limitedToken", StatusCode: 404}
	unauthorized := &tribe.HTTPError{Operation: "limitedToken", StatusCode: 401}
	rateLimited := &tribe.RateLimitError{Operation: "limitedToken", Err: &tribe.HTTPError{Operation: "limitedToken", StatusCode: 429}}
	down := errors.New("tribe: connection refused")
	tests := []struct {
		name    string
		ep      Endpoint
		err     error
		want    string
		notWant string
	}{
		{"a 404 on a path that is not /graphql", Endpoint{URL: "http://127.0.0.1:1/graphq", Source: "--endpoint"}, notFound,
			`is the path /graphql? --endpoint has the path "/graphq"`, "is it stale"},
		{"a 404 from a variable names it", Endpoint{URL: "http://127.0.0.1:1/api", Source: "TRIBE_ENDPOINT"}, notFound,
			`is the path /graphql? TRIBE_ENDPOINT has the path "/api"`, "is it stale"},
		{"a 404 on /graphql says nothing of the path", Endpoint{URL: "http://127.0.0.1:1/graphql", Source: "--endpoint"}, notFound,
			"", "is the path"},
		{"a region has no path to fix", Endpoint{URL: tribe.EndpointEU, Source: "--region"}, notFound, "", "is the path"},
		{"an endpoint without a path has none to fix", Endpoint{URL: "https://api.example.com", Source: "--endpoint"}, notFound, "", "is the path"},
		{"a stale variable", Endpoint{URL: "http://127.0.0.1:1/graphql", Source: "TRIBE_ENDPOINT"}, down,
			"the endpoint was TRIBE_ENDPOINT=http://127.0.0.1:1/graphql (from the environment); is it stale?", ""},
		{"a rate limit is not about a stale endpoint", Endpoint{URL: "http://127.0.0.1:1/graphql", Source: "TRIBE_GATEWAY_URL"}, rateLimited,
			"", "the endpoint was"},
		{"refused credentials, explained, are not about a stale endpoint", Endpoint{URL: "http://127.0.0.1:1/graphql", Source: "TRIBE_ENDPOINT"}, (&AppFlags{}).explainRefused(unauthorized),
			"check the client id and secret", "is it stale"},
		{"refused credentials at the default endpoint name it", Endpoint{}, (&AppFlags{}).explainRefused(unauthorized),
			"the endpoint was the default endpoint " + tribe.DefaultEndpoint, ""},
		{"a flag's endpoint is the user's choice", Endpoint{URL: "http://127.0.0.1:1/graphql", Source: "--endpoint"}, down, "", "the endpoint was"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.ep.Explain(tc.err)
			assert.ErrorIs(t, got, tc.err, "the error is kept for errors.Is")
			if tc.want != "" {
				assert.Contains(t, got.Error(), tc.want)
			} else if tc.notWant == "" {
				assert.Equal(t, tc.err.Error(), got.Error())
			}
			if tc.notWant != "" {
				assert.NotContains(t, got.Error(), tc.notWant)
			}
		})
	}
}
