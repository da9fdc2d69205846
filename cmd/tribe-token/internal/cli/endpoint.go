package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/tribe"
)

// endpointFlags are --endpoint and --region, which name a Tribe GraphQL
// endpoint.
type endpointFlags struct {
	endpoint string
	region   string
}

// add registers the flags on cmd; [endpointFlags.resolve] refuses both.
func (f *endpointFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.endpoint, "endpoint", "", "Tribe GraphQL endpoint URL (default $TRIBE_ENDPOINT, else "+tribe.DefaultEndpoint+")")
	cmd.Flags().StringVar(&f.region, "region", "", "Bettermode region: us ("+tribe.EndpointUS+") or eu ("+tribe.EndpointEU+")")
	_ = cmd.RegisterFlagCompletionFunc("region", cobra.FixedCompletions([]string{"us", "eu"}, cobra.ShellCompDirectiveNoFileComp))
}

// resolve returns the endpoint the flags name, else the first non-empty
// environment variable of envVars, else "" (the library's default). Plain
// http to a host that is not loopback is refused unless insecure.
func (f *endpointFlags) resolve(e *env, insecure bool, envVars ...string) (string, error) {
	if f.endpoint != "" && f.region != "" {
		return "", usagef("--endpoint and --region both name the endpoint; give one of them")
	}
	if f.endpoint != "" {
		return f.endpoint, e.checkURLs(insecure, urlFrom{"--endpoint", f.endpoint})
	}
	if f.region != "" {
		switch strings.ToLower(strings.TrimSpace(f.region)) {
		case "us":
			return tribe.EndpointUS, nil
		case "eu":
			return tribe.EndpointEU, nil
		}
		return "", usagef("unknown --region %q; use us or eu, or give --endpoint URL", f.region)
	}
	for _, v := range envVars {
		if s := e.getenv(v); s != "" {
			return s, e.checkURLs(insecure, urlFrom{v, s})
		}
	}
	return "", nil
}
