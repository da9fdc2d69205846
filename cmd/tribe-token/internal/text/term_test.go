package text

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	for name, s := range map[string]any{"buffer": &bytes.Buffer{}, "pipe": w, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			assert.False(t, IsTerminal(s))
			_, ok := TerminalWidth(s)
			assert.False(t, ok)
		})
	}
	assert.False(t, Foreground(r), "a pipe is no terminal's foreground")
	assert.False(t, Foreground(&bytes.Buffer{}))
}
