package whoami

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

func TestNewCmdWhoami(t *testing.T) {
	scopes := []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}
	cmdtest.RunFlagTable(t, NewCmdWhoami, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: Options{CRM: shared.Flags{Scopes: scopes}, Grant: shared.GrantStored, Output: cmdutil.OutTable}},
		{Name: "token file, api url, json", Args: []string{"--token-file", "-", "--api-url", "https://api.example", "-o", "json"},
			Want: Options{Token: cmdutil.TokenFlag{File: "-"}, CRM: shared.Flags{APIURL: "https://api.example", Scopes: scopes}, Grant: shared.GrantStored, Output: "json"}},
		{Name: "client credentials", Args: []string{"--grant", "client-credentials", "--base-url", "http://127.0.0.1:1"},
			Want: Options{CRM: shared.Flags{BaseURL: "http://127.0.0.1:1", Scopes: scopes}, Grant: shared.GrantClientCredentials, Output: cmdutil.OutTable}},
		{Name: "refresh-token grant", Args: []string{"--grant", "refresh-token"}, WantErr: `unknown --grant "refresh-token"; use stored or client-credentials`},
		{Name: "token output", Args: []string{"-o", "token"}, WantErr: `unknown --output "token"`},
		{Name: "token as a flag", Args: []string{"--token", "x"}, WantErr: "unknown flag: --token; secrets are never read from flag values"},
	})
}

// TestWhoamiOutputInert has the CRM answer crm whoami with an employee
// whose name and email address hold terminal escapes.
func TestWhoamiOutputInert(t *testing.T) {
	emp := crmtest.DefaultEmployee()
	emp.Name = cmdtest.Hostile
	emp.Person.EmailAddress = "a\u202e@example.com"
	_, crmEnv, flags := cmdtest.NewCRM(t, crmtest.WithEmployee(emp))
	for _, out := range []string{"table", "json"} {
		r := cmdtest.Run(t, NewCmdWhoami, cmdtest.Invocation{Env: crmEnv, Args: append([]string{"--grant", "client-credentials", "-o", out}, flags...)})
		cmdtest.RequireOK(t, r)
		cmdtest.AssertInertLines(t, r.Stdout)
		assert.Contains(t, r.Stdout, `\u202e`)
	}
}
