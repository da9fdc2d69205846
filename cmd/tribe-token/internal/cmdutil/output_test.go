package cmdutil

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
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

// TestOutputRefusedBeforeTheRun: an --output not among the command's
// formats is bad usage, said before the command runs, naming the formats;
// one among them, or an alias of one, runs it.
func TestOutputRefusedBeforeTheRun(t *testing.T) {
	tests := []struct {
		name    string
		exact   bool
		args    []string
		code    int
		wantErr string
	}{
		{"the default", false, nil, ExitOK, ""},
		{"a format", false, []string{"-o", "json"}, ExitOK, ""},
		{"an alias", false, []string{"-o", "table"}, ExitOK, ""},
		{"another format", false, []string{"-o", "yaml"}, ExitUsage, `unknown --output "yaml"; use one of text, json`},
		{"an alias, exact", true, []string{"-o", "table"}, ExitUsage, `unknown --output "table"; use one of text, json`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			f := New(strings.NewReader(""), &bytes.Buffer{}, &stderr, func(string) string { return "" })
			ran := false
			var out string
			cmd := &cobra.Command{Use: "x", RunE: f.RunE(func(*cobra.Command, []string) error { ran = true; return nil })}
			if tc.exact {
				AddOutputFlagExact(cmd, &out, OutText, OutJSON)
			} else {
				AddOutputFlag(cmd, &out, OutText, OutJSON)
			}
			assert.Equal(t, tc.code, Execute(t.Context(), f, cmd, tc.args))
			assert.Equal(t, tc.code == ExitOK, ran)
			if tc.wantErr != "" {
				assert.Contains(t, stderr.String(), tc.wantErr)
			}
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
