package automock_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
)

// TestAppendSpecial: the strings shaped by a field's name, and the same
// written straight into JSON without allocating.
func TestAppendSpecial(t *testing.T) {
	cases := []struct{ typ, field, want string }{
		{"Space", "slug", "space-7"},
		{"Member", "username", "member-7"},
		{"Member", "email", "member7@example.com"},
		{"SpaceMember", "contactEmail", "spacemember7@example.com"},
		{"Post", "relativeUrl", "/post/7"},
		{"Post", "imagePath", "/post/7"},
		{"Network", "faviconURL", "https://example.com/network/7"},
		{"Member", "locale", "en-US"},
		{"Member", "lang", "en"},
		{"Network", "Language", "en"},
		{"Network", "customDomain", "network-7.example.com"},
		{"Theme", "primaryColor", "#1000ff"},
		{"Space", "name", ""},
	}
	for _, tc := range cases {
		t.Run(tc.typ+"."+tc.field, func(t *testing.T) {
			assert.Equal(t, tc.want, string(automock.AppendSpecial(nil, tc.typ, tc.field, 7, 255)))
			if tc.want == "" {
				return
			}
			v := automock.Scalar(&automock.FieldInfo{Name: tc.field, Special: automock.SpecialOf(tc.field), Scalar: automock.String}, tc.typ, 255, 7)
			want, err := json.Marshal(v.Box())
			require.NoError(t, err)
			assert.Equal(t, string(want), string(v.AppendJSON(nil)))
			buf := make([]byte, 0, 128)
			assert.Zero(t, testing.AllocsPerRun(10, func() { v.AppendJSON(buf[:0]) }))
		})
	}
}
