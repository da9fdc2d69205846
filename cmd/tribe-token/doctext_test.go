package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocText guards the doc comments and help of every package of the
// command against text gofmt garbles (two single quotes become a curly
// double quote) and against references to documents outside the
// repository.
func TestDocText(t *testing.T) {
	var files []string
	require.NoError(t, filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
			files = append(files, path)
		}
		return err
	}))
	require.Greater(t, len(files), 30)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "\u201d", f)
		assert.NotContains(t, string(b), "\u201c", f)
		for _, private := range []string{"TRIBE_API" + ".md", "STYLE" + ".md", "../" + "shared"} {
			assert.NotContains(t, string(b), private, "%s refers to a document outside the repository", f)
		}
	}
}
