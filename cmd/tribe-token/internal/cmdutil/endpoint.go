package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/tribe"
)

// EndpointFlags are --endpoint and --region, which name a Tribe GraphQL
// endpoint.
type EndpointFlags struct {
	Endpoint string
	Region   string
}

// Add registers the flags on cmd; [EndpointFlags.Validate] refuses both.
func (e *EndpointFlags) Add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&e.Endpoint, "endpoint", "", "Tribe GraphQL endpoint URL (default $TRIBE_ENDPOINT, else "+tribe.DefaultEndpoint+")")
	cmd.Flags().StringVar(&e.Region, "region", "", "Bettermode region: us ("+tribe.EndpointUS+") or eu ("+tribe.EndpointEU+")")
	_ = cmd.RegisterFlagCompletionFunc("region", cobra.FixedCompletions([]string{"us", "eu"}, cobra.ShellCompDirectiveNoFileComp))
}

// Validate refuses --endpoint with --region, and an unknown region.
func (e *EndpointFlags) Validate() error {
	if e.Endpoint != "" && e.Region != "" {
		return Usagef("--endpoint and --region both name the endpoint; give one of them")
	}
	if e.Region != "" && regionEndpoint(e.Region) == "" {
		return Usagef("unknown --region %q; use us or eu, or give --endpoint URL", e.Region)
	}
	return nil
}

// regionEndpoint is the endpoint of a region, or "".
func regionEndpoint(region string) string {
	switch strings.ToLower(strings.TrimSpace(region)) {
	case "us":
		return tribe.EndpointUS
	case "eu":
		return tribe.EndpointEU
	}
	return ""
}

// Resolve returns the endpoint the flags name, else the first non-empty
// environment variable of envVars, else "" (the library's default). The
// URL is checked by [Factory.CheckURLs]: plain http to a host that is not
// loopback is refused unless insecure.
func (e *EndpointFlags) Resolve(f *Factory, insecure bool, envVars ...string) (string, error) {
	if err := e.Validate(); err != nil {
		return "", err
	}
	if e.Endpoint != "" {
		return e.Endpoint, f.CheckURLs(insecure, URLFrom{Source: "--endpoint", URL: e.Endpoint, Example: tribe.DefaultEndpoint})
	}
	if e.Region != "" {
		return regionEndpoint(e.Region), nil
	}
	for _, v := range envVars {
		if s := f.Env(v); s != "" {
			return s, f.CheckURLs(insecure, URLFrom{Source: v, URL: s, Example: tribe.DefaultEndpoint})
		}
	}
	return "", nil
}
