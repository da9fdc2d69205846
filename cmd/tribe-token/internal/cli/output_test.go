package cli

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
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
		assert.Equal(t, tt.want, roughDuration(tt.d), tt.d.String())
	}
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, `'abc'`, shellQuote("abc"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
	assert.Equal(t, `''`, shellQuote(""))
}

func TestEndpointResolve(t *testing.T) {
	e := &env{getenv: func(k string) string { return map[string]string{"TRIBE_ENDPOINT": "https://env.example/graphql"}[k] }}
	tests := []struct {
		f       endpointFlags
		want    string
		wantErr bool
	}{
		{endpointFlags{region: "us"}, "https://api.bettermode.com", false},
		{endpointFlags{region: "EU"}, "https://api.bettermode.de", false},
		{endpointFlags{endpoint: "https://x.example/graphql"}, "https://x.example/graphql", false},
		{endpointFlags{}, "https://env.example/graphql", false},
		{endpointFlags{region: "mars"}, "", true},
		{endpointFlags{region: "us", endpoint: "https://x.example"}, "", true},
	}
	for _, tt := range tests {
		got, err := tt.f.resolve(e, false, "TRIBE_ENDPOINT")
		if tt.wantErr {
			assert.Error(t, err)
			continue
		}
		assert.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
}
