package sign

import (
	"testing"
	"time"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/tribe/passthrough"
)

func TestNewCmdSign(t *testing.T) {
	user := []string{"--sub", "u-42", "--name", "Ada L", "--email", "ada@example.com"}
	with := func(a ...string) []string { return append(a, user...) }
	cmdtest.RunFlagTable(t, NewCmdSign, []cmdtest.FlagCase[Options]{
		{Name: "hs256", Args: with("--hs256-secret-file", "s.txt"), Want: Options{SecretFile: "s.txt", Subject: "u-42", Name: "Ada L", Email: "ada@example.com", TTL: passthrough.DefaultLifetime, Output: "token"}},
		{Name: "private key", Args: with("--private-key-file", "-", "--kid", "k1", "--ttl", "5m", "-o", "json"), Want: Options{KeyFile: "-", KeyID: "k1", Subject: "u-42", Name: "Ada L", Email: "ada@example.com", TTL: 5 * time.Minute, Output: "json"}},
		{Name: "ttl 0 is the default", Args: with("--hs256-secret-file", "s", "--ttl", "0"), Want: Options{SecretFile: "s", Subject: "u-42", Name: "Ada L", Email: "ada@example.com", Output: "token"}},
		{Name: "no key", Args: with(), WantErr: "no signing key"},
		{Name: "two keys", Args: with("--hs256-secret-file", "a", "--private-key-file", "b"), WantErr: "--hs256-secret-file and --private-key-file both"},
		{Name: "kid with hs256", Args: with("--hs256-secret-file", "a", "--kid", "k"), WantErr: "--kid goes with --private-key-file"},
		{Name: "negative ttl", Args: with("--hs256-secret-file", "a", "--ttl", "-1s"), WantErr: "--ttl -1s is negative"},
		{Name: "short ttl", Args: with("--hs256-secret-file", "a", "--ttl", "1s"), WantErr: "--ttl 1s is under two seconds"},
		{Name: "missing email flag", Args: []string{"--hs256-secret-file", "a", "--sub", "u", "--name", "n"}, WantErr: "email"},
		{Name: "empty name", Args: []string{"--hs256-secret-file", "a", "--sub", "u", "--name", " ", "--email", "a@example.com"}, WantErr: "empty --name"},
		{Name: "not an email", Args: []string{"--hs256-secret-file", "a", "--sub", "u", "--name", "n", "--email", "nope"}, WantErr: `--email "nope" is not an email address`},
		{Name: "secret as a flag", Args: with("--hs256-secret", "x"), WantErr: "unknown flag: --hs256-secret"},
	})
}
