package graphql_test

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f", "é ü 日本 🎉", "<script>&</script>", "\u2028\u2029", "bad \xff utf8", "\xed\xa0\x80"} {
		b := graphql.AppendString(nil, s)
		require.Truef(t, json.Valid(b), "%q → %s", s, b)
		var back string
		require.NoError(t, json.Unmarshal(b, &back))
		if utf8.ValidString(s) {
			assert.Equal(t, s, back)
		} else {
			assert.Contains(t, back, "\ufffd")
		}
	}
}
