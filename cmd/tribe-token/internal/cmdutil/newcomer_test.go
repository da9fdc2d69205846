package cmdutil

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckCacheURLPlainRedis(t *testing.T) {
	tests := []struct {
		url      string
		insecure bool
		wantErr  string
	}{
		{"rediss://cache.example:6380", false, ""},
		{"redis://127.0.0.1:6379", false, ""},
		{"redis://[::1]:6379", false, ""},
		{"redis://localhost:6379", false, ""},
		{"unix:///run/redis.sock", false, ""},
		{"redis://cache.example:6379", true, ""},
		{"redis://cache.example:6379", false, "--cache is plain redis:// to cache.example"},
		{"REDIS://cache.example:6379", false, "plain redis://"},
		{"redis://127.0.0.1:7000?addr=10.1.2.3:7001", false, "to 10.1.2.3"},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001", false, ""},
		{"redis://localhost.:6379", false, "to localhost."},
		{"redis://cache.localhost:6379", false, "to cache.localhost"},
		{"redis://127.0.0.1:7000?addr=LOCALHOST.:7001", false, "to LOCALHOST."},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			f := New(strings.NewReader(""), &strings.Builder{}, &strings.Builder{}, func(string) string { return "" })
			err := f.checkCacheURL("--cache", tc.url, tc.insecure)
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Contains(t, err.Error(), "rediss://")
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"short", "short"},
		{strings.Repeat("a", MaxEcho), strings.Repeat("a", MaxEcho)},
		{strings.Repeat("a", MaxEcho+1), strings.Repeat("a", MaxEcho) + "…"},
		{strings.Repeat("é", 100), strings.Repeat("é", MaxEcho) + "…"},
		{strings.Repeat("\xff", 100), strings.Repeat("\xff", MaxEcho) + "…"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, Clip(tc.in))
		})
	}
	t.Run("quoted values in a message", func(t *testing.T) {
		msg := `invalid argument "` + strings.Repeat("x", 1000) + `" for "--timeout" flag`
		got := clipQuoted(msg)
		assert.Equal(t, `invalid argument "`+strings.Repeat("x", MaxEcho)+`…" for "--timeout" flag`, got)
		esc := `bad "` + strings.Repeat("x", MaxEcho-1) + `\"` + strings.Repeat("y", 100) + `"`
		assert.NotContains(t, clipQuoted(esc), `\…`, "no lone backslash before the cut")
	})
	t.Run("a whole line", func(t *testing.T) {
		got := clipLine(strings.Repeat("é", 10_000))
		assert.LessOrEqual(t, len(got), maxLine+len("… (message cut)"))
		assert.True(t, strings.HasSuffix(got, "… (message cut)"))
	})
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
