package text

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTable(t *testing.T) {
	var tb Table
	tb.Add("name", hostile)
	tb.Add("empty", "")
	tb.Add("id", "Dm12")
	var buf bytes.Buffer
	require.NoError(t, tb.Write(&buf))
	assert.Equal(t, "name  Eve\\x1b[31m\\u202eevil\\u009b2J\nid    Dm12\n", buf.String())
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, `'abc'`, ShellQuote("abc"))
	assert.Equal(t, `'it'\''s'`, ShellQuote("it's"))
	assert.Equal(t, `''`, ShellQuote(""))
}
