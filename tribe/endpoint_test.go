package tribe

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		insecure bool
		wantURL  string
		wantErr  string // substring; empty: no error
	}{
		{name: "https", raw: "https://app.tribe.so/graphql", wantURL: "https://app.tribe.so/graphql"},
		{name: "region root", raw: EndpointEU, wantURL: "https://api.bettermode.de"},
		{name: "http loopback ip", raw: "http://127.0.0.1:8080/graphql", wantURL: "http://127.0.0.1:8080/graphql"},
		{name: "http loopback v6", raw: "http://[::1]:8080/graphql", wantURL: "http://[::1]:8080/graphql"},
		{name: "http localhost", raw: "http://localhost/graphql", wantURL: "http://localhost/graphql"},
		{name: "http remote refused", raw: "http://app.tribe.so/graphql", wantErr: "plain http to a host that is not loopback"},
		{name: "http localhost with a trailing dot refused", raw: "http://localhost.:8080/graphql", wantErr: "plain http to a host that is not loopback"},
		{name: "http under .localhost refused", raw: "http://app.localhost:8080/graphql", wantErr: "plain http to a host that is not loopback"},
		{name: "http private range refused", raw: "http://10.1.2.3/graphql", wantErr: "set AllowInsecureHTTP"},
		{name: "http remote opted in", raw: "http://tribe.internal/graphql", insecure: true, wantURL: "http://tribe.internal/graphql"},
		{name: "relative", raw: "/graphql", wantErr: "not an absolute http(s) URL"},
		{name: "no scheme", raw: "app.tribe.so/graphql", wantErr: "not an absolute http(s) URL"},
		{name: "ftp", raw: "ftp://app.tribe.so/graphql", wantErr: "not an absolute http(s) URL"},
		{name: "no host", raw: "https:///graphql", wantErr: "has no host"},
		{name: "unparsable", raw: "https://id:se cret%zz@host/", wantErr: "not a valid URL"},
		{name: "userinfo moved out", raw: "https://my-id:my-secret@app.tribe.so/graphql", wantURL: "https://app.tribe.so/graphql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ep, err := parseEndpoint(tt.raw, tt.insecure)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.True(t, errors.Is(err, ErrInvalidInput))
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), "secret")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantURL, ep.URL)
		})
	}
}

func TestParseEndpointUserinfo(t *testing.T) {
	ep, err := parseEndpoint("https://b93fa452-a49de953ea10:f7a14f1a7a17a7e5@app.tribe.so/graphql", false)
	require.NoError(t, err)
	assert.Equal(t, "b93fa452-a49de953ea10", ep.User)
	assert.Equal(t, "f7a14f1a7a17a7e5", ep.Password)
	assert.True(t, ep.HasUser)
	assert.True(t, ep.HasPasswd)
	assert.Equal(t, "app.tribe.so", ep.Host)
	assert.NotContains(t, ep.URL, "f7a14f1a7a17a7e5")
}

func TestRedactURL(t *testing.T) {
	assert.Equal(t, "https://id:xxxxx@host/graphql", redactURL("https://id:s3cr3t@host/graphql"))
	assert.Equal(t, "[unparsable URL]", redactURL("https://id:s3 cr3t%zz@host/"))
}
