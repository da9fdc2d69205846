// Package whoami is "tribe-token crm whoami": the Tribe CRM employee,
// person and organisation a token acts as (GetCurrentEmployee).
package whoami

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe/crm"
)

// Result is "crm whoami"'s JSON output.
type Result struct {
	Employee     Entity  `json:"employee"`
	Person       *Person `json:"person,omitempty"`
	Organization *Entity `json:"organization,omitempty"`
}

// Entity is an id and a name.
type Entity struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Person is the person behind an employee.
type Person struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Options are crm whoami's inputs.
type Options struct {
	Factory *cmdutil.Factory

	CRM    shared.Flags
	Token  cmdutil.TokenFlag
	Grant  string
	Output string
}

// NewCmdWhoami builds "crm whoami". runF, if not nil, is called with the
// parsed Options in place of the work (for tests).
func NewCmdWhoami(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the Tribe CRM user a token acts as",
		Long: `Call GetCurrentEmployee and show the employee, person and organisation the
token acts as. The token is TRIBE_CRM_TOKEN or --token-file if given, else one
from --grant (see 'crm token'): the stored token (default) or client credentials.
A stored token that has expired is refreshed with the redirect URL that 'crm
login' recorded beside the token file, in STORE.meta.json (no secret in it).`,
		Example: `  tribe-token crm whoami
  tribe-token crm whoami --grant client-credentials -o json
  TRIBE_CRM_TOKEN=$(tribe-token crm token) tribe-token crm whoami`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.validate, runF, whoamiRun),
	}
	opts.CRM.Add(cmd)
	opts.Token.Add(cmd, "TRIBE_CRM_TOKEN")
	cmd.Flags().StringVar(&opts.Grant, "grant", shared.GrantStored, "where the token comes from without TRIBE_CRM_TOKEN: stored or client-credentials")
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutTable, cmdutil.OutJSON)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if o.Grant != shared.GrantStored && o.Grant != shared.GrantClientCredentials {
		return cmdutil.Usagef("unknown --grant %q; use stored or client-credentials", text.Clip(o.Grant))
	}
	return o.CRM.Validate()
}

// whoamiRun asks the CRM who the token acts as and prints it.
func whoamiRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	cf := &opts.CRM
	if err := cf.CheckURLs(f, shared.UseToken|shared.UseAPI); err != nil {
		return err
	}
	var (
		ts   oauth2.TokenSource
		path string
		err  error
	)
	switch {
	case opts.Token.File != "" || f.Env("TRIBE_CRM_TOKEN") != "":
		var tok string
		if tok, err = opts.Token.Token(f, "TRIBE_CRM_TOKEN"); err != nil {
			return err
		}
		ts = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"})
	case opts.Grant == shared.GrantStored:
		if ts, path, err = cf.StoredSource(ctx, f); err != nil {
			return err
		}
	default:
		var cfg *crm.Config
		if cfg, err = cf.Config(f, true); err != nil {
			return err
		}
		if ts, err = cfg.ClientCredentialsTokenSource(ctx); err != nil {
			return err
		}
	}
	emp, err := cf.Client(f, ts).GetCurrentEmployee(ctx)
	if err != nil {
		return shared.Error(err, path)
	}
	res := Result{Employee: Entity{ID: emp.ID, Name: emp.Name}}
	if p := emp.Person; p != nil {
		res.Person = &Person{ID: p.ID, Name: p.Name, Email: p.EmailAddress}
	}
	if o := emp.Organization; o != nil {
		res.Organization = &Entity{ID: o.ID, Name: o.Name}
	}
	if opts.Output == cmdutil.OutJSON {
		return cmdutil.WriteJSON(f.Out, res)
	}
	var t text.Table
	t.Add("employee", fmt.Sprintf("%s (id %s)", emp.Name, emp.ID))
	if p := res.Person; p != nil {
		t.Add("person", fmt.Sprintf("%s (id %s)", p.Name, p.ID))
		t.Add("email", p.Email)
	}
	if o := res.Organization; o != nil {
		t.Add("organization", fmt.Sprintf("%s (id %s)", o.Name, o.ID))
	}
	return t.Write(f.Out)
}
