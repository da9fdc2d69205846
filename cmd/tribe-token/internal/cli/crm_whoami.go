package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe/crm"
)

// crmWhoamiResult is "crm whoami"'s JSON output.
type crmWhoamiResult struct {
	Employee     crmEntity  `json:"employee"`
	Person       *crmPerson `json:"person,omitempty"`
	Organization *crmEntity `json:"organization,omitempty"`
}

// crmEntity is an id and a name.
type crmEntity struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// crmPerson is the person behind an employee.
type crmPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// newCRMWhoamiCmd builds "crm whoami".
func (e *env) newCRMWhoamiCmd() *cobra.Command {
	var (
		cf     crmFlags
		tf     tokenFlag
		grant  string
		output string
	)
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the Tribe CRM user a token acts as",
		Long: `Call GetCurrentEmployee and show the employee, person and organisation the
token acts as. The token is TRIBE_CRM_TOKEN or --token-file if given, else one
from --grant (see 'crm token'): the stored token (default) or client credentials.`,
		Example: `  tribe-token crm whoami
  tribe-token crm whoami --grant client-credentials -o json
  TRIBE_CRM_TOKEN=$(tribe-token crm token) tribe-token crm whoami`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outTable, outJSON); err != nil {
				return err
			}
			if err := cf.checkURLs(e, useToken|useAPI); err != nil {
				return err
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			var (
				ts   oauth2.TokenSource
				path string
				err  error
			)
			switch {
			case tf.file != "" || e.getenv("TRIBE_CRM_TOKEN") != "":
				var tok string
				if tok, err = tf.token(e, "TRIBE_CRM_TOKEN"); err != nil {
					return err
				}
				ts = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"})
			case grant == grantStored:
				if ts, path, err = cf.storedSource(ctx, e); err != nil {
					return err
				}
			case grant == grantClientCredentials:
				var cfg *crm.Config
				if cfg, err = cf.config(e, true); err != nil {
					return err
				}
				if ts, err = cfg.ClientCredentialsTokenSource(ctx); err != nil {
					return err
				}
			default:
				return usagef("unknown --grant %q; use stored or client-credentials", grant)
			}
			emp, err := cf.client(e, ts).GetCurrentEmployee(ctx)
			if err != nil {
				return crmError(err, path)
			}
			res := crmWhoamiResult{Employee: crmEntity{ID: emp.ID, Name: emp.Name}}
			if p := emp.Person; p != nil {
				res.Person = &crmPerson{ID: p.ID, Name: p.Name, Email: p.EmailAddress}
			}
			if o := emp.Organization; o != nil {
				res.Organization = &crmEntity{ID: o.ID, Name: o.Name}
			}
			if output == outJSON {
				return writeJSON(e.stdout, res)
			}
			var t table
			t.add("employee", fmt.Sprintf("%s (id %s)", emp.Name, emp.ID))
			if p := res.Person; p != nil {
				t.add("person", fmt.Sprintf("%s (id %s)", p.Name, p.ID))
				t.add("email", p.Email)
			}
			if o := res.Organization; o != nil {
				t.add("organization", fmt.Sprintf("%s (id %s)", o.Name, o.ID))
			}
			return t.write(e.stdout)
		}),
	}
	cf.add(cmd)
	tf.add(cmd, "TRIBE_CRM_TOKEN")
	cmd.Flags().StringVar(&grant, "grant", grantStored, "where the token comes from without TRIBE_CRM_TOKEN: stored or client-credentials")
	addOutputFlag(cmd, &output, outTable, outJSON)
	return cmd
}
