package crmtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// TestLastUserAgents checks that the server keeps the User-Agent of the last
// token request and of the last API request, and of nothing else.
func TestLastUserAgents(t *testing.T) {
	srv := setup(t)
	assert.Equal(t, crmtest.UserAgents{}, srv.LastUserAgents(), "none before any request")
	send := func(method, path, ua string) {
		t.Helper()
		var body *strings.Reader
		if method == http.MethodPost {
			body = strings.NewReader("grant_type=client_credentials&client_id=" + crmtest.DefaultClientID + "&client_secret=" + crmtest.DefaultClientSecret)
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequest(method, srv.URL+path, body)
		require.NoError(t, err)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("User-Agent", ua)
		resp, err := srv.Client().Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	tests := []struct {
		name   string
		method string
		path   string
		ua     string
		want   crmtest.UserAgents
	}{
		{"token request", http.MethodPost, "/oauth2/token", "token-agent/1", crmtest.UserAgents{Token: "token-agent/1"}},
		{"API call", http.MethodGet, "/v1/odata/GetCurrentEmployee()", "api-agent/1", crmtest.UserAgents{Token: "token-agent/1", API: "api-agent/1"}},
		{"unknown OData path", http.MethodGet, "/v1/odata/Nothing", "api-agent/2", crmtest.UserAgents{Token: "token-agent/1", API: "api-agent/2"}},
		{"consent request is the browser's", http.MethodGet, "/oauth2/auth", "browser/1", crmtest.UserAgents{Token: "token-agent/1", API: "api-agent/2"}},
		{"another token request", http.MethodPost, "/oauth2/token", "token-agent/2", crmtest.UserAgents{Token: "token-agent/2", API: "api-agent/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send(tt.method, tt.path, tt.ua)
			assert.Equal(t, tt.want, srv.LastUserAgents())
		})
	}
}
