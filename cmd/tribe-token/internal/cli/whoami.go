package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// tokenFlag is --token-file, with TRIBE_TOKEN as the default.
type tokenFlag struct{ file string }

// add registers --token-file on cmd.
func (f *tokenFlag) add(cmd *cobra.Command, envVar string) {
	cmd.Flags().StringVar(&f.file, "token-file", "", "read the access token from `FILE` (- for stdin; default $"+envVar+")")
}

// token reads the token and checks that it looks like one.
func (f *tokenFlag) token(e *env, envVar string) (string, error) {
	tok, err := e.secret(secretSpec{what: "access token", envVar: envVar, fileArg: "token-file", file: f.file})
	if err != nil {
		return "", err
	}
	tok = strings.TrimSpace(tok)
	if strings.HasPrefix(strings.ToLower(tok), "bearer ") {
		tok = strings.TrimSpace(tok[len("bearer "):])
	}
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") || hasControl(tok) {
		return "", usagef("malformed access token: it has spaces or control characters in it; give the bare token")
	}
	return tok, nil
}

// hasControl reports whether s has an ASCII control character.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// whoamiMember is whoami's JSON view of a member.
type whoamiMember struct {
	ID       string      `json:"id"`
	Name     string      `json:"name,omitempty"`
	Username string      `json:"username,omitempty"`
	Email    string      `json:"email,omitempty"`
	Status   string      `json:"status,omitempty"`
	Role     *whoamiRole `json:"role,omitempty"`
}

// whoamiRole is whoami's JSON view of a role.
type whoamiRole struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// whoamiNetwork is whoami's JSON view of a community.
type whoamiNetwork struct {
	ID     string `json:"id"`
	Name   string `json:"name,omitempty"`
	Domain string `json:"domain,omitempty"`
}

// whoamiResult is whoami's JSON output.
type whoamiResult struct {
	Member   whoamiMember  `json:"member"`
	Network  whoamiNetwork `json:"network"`
	Endpoint string        `json:"endpoint"`
	Expiry   string        `json:"expiry,omitempty"`
}

// newWhoamiCmd builds "whoami".
func (e *env) newWhoamiCmd() *cobra.Command {
	var (
		tf       tokenFlag
		ep       endpointFlags
		output   string
		insecure bool
	)
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show the member, role and community a token acts as",
		Long: `Ask Tribe who an access token acts as (the authMember and network queries)
and show the member, their role and the community.

The token comes from TRIBE_TOKEN or --token-file. The endpoint is --endpoint or
--region, else TRIBE_GATEWAY_URL (which "mint --output env" sets), else
TRIBE_ENDPOINT, else Tribe's default.`,
		Example: `  TRIBE_TOKEN=$(tribe-token mint --network CAx1mZ7I7a) tribe-token whoami
  eval "$(tribe-token mint --network CAx1mZ7I7a --output env)" && tribe-token whoami -o json
  tribe-token whoami --token-file token.txt --region eu`,
		Args: noArgs,
		RunE: e.runE(func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output, outTable, outJSON); err != nil {
				return err
			}
			endpoint, err := ep.resolve(e, insecure, "TRIBE_GATEWAY_URL", "TRIBE_ENDPOINT")
			if err != nil {
				return err
			}
			tok, err := tf.token(e, "TRIBE_TOKEN")
			if err != nil {
				return err
			}
			c, err := tribe.NewClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"}), tribe.ClientConfig{Endpoint: endpoint, AllowInsecureHTTP: insecure, HTTPClient: e.httpClient()})
			if err != nil {
				return err
			}
			ctx, cancel := e.timeoutCtx(cmd)
			defer cancel()
			m, err := c.AuthMember(ctx)
			if err != nil {
				return tokenError(err)
			}
			n, err := c.Network(ctx)
			if err != nil {
				return tokenError(err)
			}
			return e.writeWhoami(output, m, n, c.Endpoint(), tribe.JWTExpiry(tok))
		}),
	}
	tf.add(cmd, "TRIBE_TOKEN")
	ep.add(cmd)
	addInsecureFlag(cmd, &insecure)
	addOutputFlag(cmd, &output, outTable, outJSON)
	return cmd
}

// tokenError explains a refused token.
func tokenError(err error) error {
	if errors.Is(err, tribe.ErrInvalidToken) || errors.Is(err, tribe.ErrUnauthorized) {
		return withHint(err, "the token is invalid or expired, or belongs to another endpoint; mint a new one")
	}
	return err
}

// writeWhoami prints what whoami learnt.
func (e *env) writeWhoami(format string, m *tribe.Member, n *tribe.Network, endpoint string, exp time.Time) error {
	res := whoamiResult{
		Member:   whoamiMember{ID: m.ID, Name: m.Name, Username: m.Username, Email: m.Email, Status: m.Status},
		Network:  whoamiNetwork{ID: n.ID, Name: n.Name, Domain: n.Domain},
		Endpoint: endpoint,
	}
	if m.Role != nil {
		res.Member.Role = &whoamiRole{ID: m.Role.ID, Name: m.Role.Name, Type: m.Role.Type}
	} else if m.RoleID != "" {
		res.Member.Role = &whoamiRole{ID: m.RoleID}
	}
	if !exp.IsZero() {
		res.Expiry = exp.UTC().Format(time.RFC3339)
	}
	if format == outJSON {
		return writeJSON(e.stdout, res)
	}
	var t table
	t.add("member", memberLine(m))
	t.add("email", m.Email)
	t.add("role", roleLine(m))
	t.add("community", networkLine(n))
	t.add("endpoint", endpoint)
	t.add("expires", describeTime(exp, e.now(), "expired"))
	return t.write(e.stdout)
}

// memberLine describes a member, e.g. "Alice Admin (@alice, id m1)".
func memberLine(m *tribe.Member) string {
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

// roleLine describes a member's role, e.g. "admin (Admin)".
func roleLine(m *tribe.Member) string {
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
