package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// TestSlowServerCannotHangACommand has a server send its answer one byte at
// a time, for ever: every command that calls a server gives up when the
// default --timeout (shortened here through the run's hook; 30s for real)
// runs out, though no --timeout was given.
func TestSlowServerCannotHangACommand(t *testing.T) {
	drip := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}))
	t.Cleanup(drip.Close)
	tribeEnv := map[string]string{
		"TRIBE_CLIENT_ID": "id", "TRIBE_CLIENT_SECRET": "secret-value", "TRIBE_NETWORK_ID": "n",
		"TRIBE_ENDPOINT": drip.URL + "/graphql", "TRIBE_COMMUNITY_URL": drip.URL,
		"TRIBE_TOKEN": "access-token-value", "TRIBE_PASSWORD": "password-value", "TRIBE_REFRESH_TOKEN": "refresh-value",
	}
	crmEnv := map[string]string{"TRIBE_CRM_CLIENT_ID": "id", "TRIBE_CRM_CLIENT_SECRET": "secret-value", "TRIBE_CRM_BASE_URL": drip.URL}
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"mint", tribeEnv, args("mint")},
		{"whoami", tribeEnv, args("whoami")},
		{"password", tribeEnv, args("password", "--username", "u")},
		{"exchange", tribeEnv, args("exchange", "--email", "a@example.com")},
		{"refresh", tribeEnv, args("refresh", "-o", "json", "--with-refresh-token")},
		{"crm token", crmEnv, args("crm", "token", "--grant", "client-credentials")},
		{"crm whoami", cmdtest.With(crmEnv, "TRIBE_CRM_TOKEN", "crm-token-value"), args("crm", "whoami")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			r := run(t, cmdtest.Invocation{Env: tt.env, Args: tt.args, Hook: func(f *cmdutil.Factory) {
				f.DefaultTimeout = 300 * time.Millisecond
			}})
			cmdtest.RequireFail(t, r, cmdutil.ExitFailure, "no answer within --timeout 300ms")
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}

	t.Run("the default is 30s", func(t *testing.T) {
		r := run(t, cmdtest.Invocation{Args: args("mint", "--help")})
		cmdtest.RequireOK(t, r)
		assert.Regexp(t, `--timeout duration\s+give up on the server after this long.*\(default 30s\)`, strings.Join(strings.Fields(r.Stdout), " ")) // help is wrapped
	})
}
