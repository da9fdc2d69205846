package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// TestAPIVariablesFile: a variables document too large for one argument
// of a command line (Linux takes at most 128 KiB, MAX_ARG_STRLEN in
// execve(2)) reaches the server whole through --variables @FILE, with -F
// winning over a variable of it.
func TestAPIVariablesFile(t *testing.T) {
	body := strings.Repeat("0123456789abcdef", 150<<10/16)
	doc, err := json.Marshal(map[string]any{"body": body, "limit": 3, "tags": []string{"a", "b"}})
	require.NoError(t, err)
	require.Greater(t, len(doc), 150<<10)
	file := filepath.Join(t.TempDir(), "vars.json")
	require.NoError(t, os.WriteFile(file, doc, 0o600))

	var got struct {
		Variables map[string]any `json:"variables"`
	}
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&got); err != nil {
			t.Errorf("reading the request: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":{"ok":true}}`)
	}))
	t.Cleanup(srv.Close)
	r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "--variables", "@"+file, "-F", "limit=5", "mutation Post($body: String, $limit: Int, $tags: [String]) { ok }")
	require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
	assert.Equal(t, int32(1), calls.Load())
	assert.Equal(t, body, got.Variables["body"])
	assert.Equal(t, 5.0, got.Variables["limit"], "-F wins over the file")
	assert.Equal(t, []any{"a", "b"}, got.Variables["tags"])
}
