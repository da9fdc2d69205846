// Package whoami is "tribe-token whoami": the member, role and community a
// Tribe access token acts as, asked of the server.
package whoami

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
)

// Member is whoami's JSON view of a member.
type Member struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Username string `json:"username,omitempty"`
	Email    string `json:"email,omitempty"`
	Status   string `json:"status,omitempty"`
	Role     *Role  `json:"role,omitempty"`
}

// Role is whoami's JSON view of a role.
type Role struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// Network is whoami's JSON view of a community.
type Network struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Domain string `json:"domain,omitempty"`
}

// Result is whoami's JSON output.
type Result struct {
	Member   Member  `json:"member"`
	Network  Network `json:"network"`
	Endpoint string  `json:"endpoint"`
	Expiry   string  `json:"expiry,omitempty"`
}

// Options are whoami's inputs.
type Options struct {
	Factory *cmdutil.Factory

	Token    cmdutil.TokenFlag
	Endpoint cmdutil.EndpointFlags
	Insecure bool
	Output   string
	NoRetry  bool
}

// NewCmdWhoami builds "whoami". runF, if not nil, is called with the parsed
// Options in place of the work (for tests).
func NewCmdWhoami(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "whoami",
		Short:      "Show the member, role and community a token acts as",
		SuggestFor: []string{"who", "me", "auth", "whoiam", "user", "member"},
		Long: `Ask Tribe who an access token acts as (the authMember and network queries)
and show the member, their role and the community.

The token comes from TRIBE_TOKEN or --token-file. The endpoint is --endpoint or
--region, else TRIBE_GATEWAY_URL (which "mint --output env" sets) if it belongs
to this token, else TRIBE_ENDPOINT, else ` + tribe.DefaultEndpoint + ` (a line on
stderr says so). ` + cmdutil.GatewayRule + `

A rate limit is waited out, with a line on stderr saying how long, and tried
again; --no-retry stops at once. --output text (the default) prints a table,
json one JSON object.`,
		Example: `  TRIBE_TOKEN=$(tribe-token mint --network CAx1mZ7I7a) tribe-token whoami
  eval "$(tribe-token mint --network CAx1mZ7I7a --output env)" && tribe-token whoami -o json
  tribe-token whoami --token-file token.txt --region eu`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Run(f, opts, opts.validate, runF, whoamiRun),
	}
	opts.Token.Add(cmd, "TRIBE_TOKEN")
	opts.Endpoint.Add(cmd)
	cmdutil.AddInsecureFlag(cmd, &opts.Insecure)
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutTable, cmdutil.OutJSON)
	cmdutil.AddNoRetryFlag(cmd, &opts.NoRetry)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	return o.Endpoint.Validate()
}

// whoamiRun asks the server who the token acts as and prints it.
func whoamiRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	tok, err := opts.Token.Token(f, "TRIBE_TOKEN")
	if err != nil {
		return err
	}
	ep, err := opts.Endpoint.ResolveForToken(f, opts.Insecure, tok)
	if err != nil {
		return err
	}
	c, err := tribe.NewClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"}), tribe.ClientConfig{Endpoint: ep.URL, AllowInsecureHTTP: opts.Insecure, HTTPClient: f.HTTPClient(),
		Retry: cmdutil.NoLibraryRetries()})
	if err != nil {
		return err
	}
	ep.Announce(f)
	var m *tribe.Member
	var n *tribe.Network
	err = f.Retry(ctx, cmdutil.RetryOptions{NoRetry: opts.NoRetry}, func(ctx context.Context) (err error) {
		m, err = c.AuthMember(ctx)
		return err
	})
	if err == nil {
		err = f.Retry(ctx, cmdutil.RetryOptions{NoRetry: opts.NoRetry}, func(ctx context.Context) (err error) {
			n, err = c.Network(ctx)
			return err
		})
	}
	if err != nil {
		return ep.Explain(tokenError(err))
	}
	return write(f, opts.Output, m, n, c.Endpoint(), tribe.JWTExpiry(tok))
}

// tokenError explains a refused token.
func tokenError(err error) error {
	if errors.Is(err, tribe.ErrInvalidToken) || errors.Is(err, tribe.ErrUnauthorized) {
		return cmdutil.WithHint(err, "the token is invalid or expired, or belongs to another endpoint; mint a new one")
	}
	return err
}

// write prints what whoami learnt.
func write(f *cmdutil.Factory, format string, m *tribe.Member, n *tribe.Network, endpoint string, exp time.Time) error {
	res := Result{
		Member:   Member{ID: m.ID, Name: m.Name, Username: m.Username, Email: m.Email, Status: m.Status},
		Network:  Network{ID: n.ID, Name: n.Name, Domain: n.Domain},
		Endpoint: endpoint,
	}
	if m.Role != nil {
		res.Member.Role = &Role{ID: m.Role.ID, Name: m.Role.Name, Type: m.Role.Type}
	} else if m.RoleID != "" {
		res.Member.Role = &Role{ID: m.RoleID}
	}
	if !exp.IsZero() {
		res.Expiry = exp.UTC().Format(time.RFC3339)
	}
	if format == cmdutil.OutJSON {
		return cmdutil.WriteJSON(f.Out, res)
	}
	var t text.Table
	t.Add("member", MemberLine(m))
	t.Add("email", m.Email)
	t.Add("role", RoleLine(m))
	t.Add("community", networkLine(n))
	t.Add("endpoint", endpoint)
	t.Add("expires", text.DescribeTime(exp, f.Now(), "expired"))
	return t.Write(f.Out)
}

// MemberLine describes a member, e.g. "Alice Admin (@alice, id m1)".
func MemberLine(m *tribe.Member) string {
	var parts []string
	if m.Username != "" {
		parts = append(parts, "@"+m.Username)
	}
	parts = append(parts, "id "+m.ID)
	name := m.Name
	if name == "" {
		name = "(no name)"
	}
	return fmt.Sprintf("%s (%s)", name, strings.Join(parts, ", "))
}

// RoleLine describes a member's role, e.g. "admin (Admin)".
func RoleLine(m *tribe.Member) string {
	if m.Role == nil {
		if m.RoleID != "" {
			return "id " + m.RoleID
		}
		return ""
	}
	switch {
	case m.Role.Type != "" && m.Role.Name != "" && !strings.EqualFold(m.Role.Type, m.Role.Name):
		return fmt.Sprintf("%s (%s)", m.Role.Type, m.Role.Name)
	case m.Role.Type != "":
		return m.Role.Type
	case m.Role.Name != "":
		return m.Role.Name
	}
	return "id " + m.Role.ID
}

// networkLine describes a community, e.g. "Acme (acme.tribe.so, id net1)".
func networkLine(n *tribe.Network) string {
	var parts []string
	if n.Domain != "" {
		parts = append(parts, n.Domain)
	}
	parts = append(parts, "id "+n.ID)
	name := n.Name
	if name == "" {
		name = "(no name)"
	}
	return fmt.Sprintf("%s (%s)", name, strings.Join(parts, ", "))
}
