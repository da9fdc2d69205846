package crm_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocsStandAlone checks that no file of this package or of crmtest
// points a reader at a file they cannot see: a Markdown file named without a
// URL (notes kept beside the repository) or a path out of the repository.
// Doc comments and messages cite public pages and RFCs instead.
func TestDocsStandAlone(t *testing.T) {
	private := regexp.MustCompile(`(^|[^/\w.-])[\w.-]+\.md\b|\.\./`)
	files := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "docs_test.go" { // its samples below
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range private.FindAll(b, -1) {
			t.Errorf("%s mentions %q; cite a public URL or an RFC section instead", path, m)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, files, 20, "the walk saw the package's files")
	assert.True(t, private.MatchString("see NOTES.md section 2"), "the check catches a notes file")
	assert.True(t, private.MatchString("as in ../notes/x"), "and a path out of the repository")
	assert.False(t, private.MatchString("https://github.com/golang/go/blob/master/README.md"), "a public URL is fine")
}
