package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// TestErrorLineInert has a server refuse with a message that holds terminal
// escapes: the error line shows them escaped.
func TestErrorLineInert(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		if err := json.NewEncoder(w).Encode(map[string]string{"error": "invalid_client", "error_description": cmdtest.Hostile}); err != nil {
			t.Errorf("server: %v", err)
		}
	}))
	t.Cleanup(srv.Close)
	r := run(t, cmdtest.Invocation{Env: map[string]string{"TRIBE_CRM_CLIENT_ID": "id", "TRIBE_CRM_CLIENT_SECRET": "secret-value"}, Args: args("crm", "token", "--grant", "client-credentials", "--base-url", srv.URL)})
	require.Equal(t, cmdutil.ExitFailure, r.Code, r.Stderr)
	cmdtest.AssertInertLines(t, r.Stderr)
	assert.Contains(t, r.Stderr, `Eve\x1b[31m`, "the server's message, escaped")

	f := &cmdutil.Factory{}
	line := f.ErrorLine(nil, &cmdutil.Explained{Msg: "server says: " + cmdtest.Hostile + "\x9b"}, cmdutil.ExitFailure)
	cmdtest.AssertInert(t, line)
	// A byte that is not UTF-8 is replaced (by the redaction) before it is
	// escaped.
	assert.Equal(t, `tribe-token: server says: Eve\x1b[31m\u202eevil\u009b2J`+"\uFFFD", line)
}
