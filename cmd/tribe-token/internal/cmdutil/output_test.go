package cmdutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEndpointResolve(t *testing.T) {
	f := &Factory{Getenv: func(k string) string { return map[string]string{"TRIBE_ENDPOINT": "https://env.example/graphql"}[k] }}
	tests := []struct {
		f       EndpointFlags
		want    string
		wantErr string
	}{
		{EndpointFlags{Region: "us"}, "https://api.bettermode.com", ""},
		{EndpointFlags{Region: "EU"}, "https://api.bettermode.de", ""},
		{EndpointFlags{Endpoint: "https://x.example/graphql"}, "https://x.example/graphql", ""},
		{EndpointFlags{}, "https://env.example/graphql", ""},
		{EndpointFlags{Region: "mars"}, "", `unknown --region "mars"`},
		{EndpointFlags{Region: "us", Endpoint: "https://x.example"}, "", "give one of them"},
		{EndpointFlags{Endpoint: "ftp://x"}, "", `--endpoint with scheme "ftp" is not an absolute http(s) URL`},
		{EndpointFlags{Endpoint: "https://"}, "", "--endpoint \"https:\" has no host"},
	}
	for _, tt := range tests {
		t.Run(tt.f.Endpoint+tt.f.Region, func(t *testing.T) {
			ep, err := tt.f.ResolveFrom(f, false, "TRIBE_ENDPOINT")
			got := ep.URL
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, ExitUsage, f.exitCode(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestOutputAliases(t *testing.T) {
	tests := []struct {
		formats []string
		exact   bool
		in      string
		want    string
	}{
		{[]string{OutText, OutJSON}, false, "table", OutText},
		{[]string{OutText, OutJSON}, false, "TEXT", OutText},
		{[]string{OutToken, OutJSON, OutEnv}, false, "text", OutToken},
		{[]string{OutToken, OutJSON, OutEnv}, false, "env", OutEnv},
		{[]string{OutText, OutJSON, OutEnv}, true, "table", "table"},
		{[]string{OutText, OutJSON}, false, "yaml", "yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var got string
			v := &outputValue{dst: &got, formats: tc.formats, exact: tc.exact}
			require.NoError(t, v.Set(tc.in))
			assert.Equal(t, tc.want, got)
		})
	}
}

// assertInert fails if s holds a character a terminal may act on.
func assertInert(t *testing.T, s string) {
	t.Helper()
	assert.True(t, IsInert(s), "not inert: %q", s)
}

// assertInertLines is assertInert for output made of lines.
func assertInertLines(t *testing.T, out string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assertInert(t, l)
	}
}

// TestTokenOutputRefusesControlCharacters: a bare or env token output never
// prints a token a hostile server made of terminal escapes.
func TestTokenOutputRefusesControlCharacters(t *testing.T) {
	for _, format := range []string{OutToken, OutEnv} {
		var buf bytes.Buffer
		err := WriteToken(&buf, format, TokenOutput{Token: "abc\x1b]0;x\x07", Expiry: "2030-01-01T00:00:00Z"})
		require.Error(t, err, format)
		assert.Contains(t, err.Error(), "access token has a character that is not printable ASCII")
		assert.Empty(t, buf.String())
	}
	var buf bytes.Buffer
	require.NoError(t, WriteToken(&buf, OutJSON, TokenOutput{Token: "abc\x1b\u202e"}))
	assertInertLines(t, buf.String())
}
