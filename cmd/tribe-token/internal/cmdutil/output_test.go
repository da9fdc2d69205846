package cmdutil

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoughDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{1500 * time.Millisecond, "2s"},
		{59*time.Minute + 50*time.Second, "1h"},
		{59 * time.Minute, "59m"},
		{2*time.Hour + 5*time.Minute, "2h5m"},
		{48 * time.Hour, "2d"},
		{50 * time.Hour, "2d2h"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, RoughDuration(tt.d), tt.d.String())
	}
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, `'abc'`, ShellQuote("abc"))
	assert.Equal(t, `'it'\''s'`, ShellQuote("it's"))
	assert.Equal(t, `''`, ShellQuote(""))
}

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
			got, err := tt.f.Resolve(f, false, "TRIBE_ENDPOINT")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, ExitUsage, f.ExitCode(err))
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
