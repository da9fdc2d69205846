package refresh

import (
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/grantflags"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestNewCmdRefresh(t *testing.T) {
	cmdtest.RunFlagTable(t, NewCmdRefresh, []cmdtest.FlagCase[Options]{
		{Name: "file rewritten in place", Args: []string{"--refresh-token-file", "rt.txt"}, Want: Options{RefreshTokenFile: "rt.txt", OAuth: grantflags.OAuthFlags{Output: cmdutil.OutToken}}},
		{Name: "printed", Args: []string{"--with-refresh-token", "-o", "env", "--community", "https://c.example"}, Want: Options{OAuth: grantflags.OAuthFlags{WithRefresh: true, Output: "env", Community: "https://c.example"}}},
		{Name: "stdin printed", Args: []string{"--refresh-token-file", "-", "--with-refresh-token", "-o", "json"}, Want: Options{RefreshTokenFile: "-", OAuth: grantflags.OAuthFlags{WithRefresh: true, Output: "json"}}},
		{Name: "nowhere to keep the new one", Args: nil, WantErr: "Tribe rotates refresh tokens"},
		{Name: "stdin without printing", Args: []string{"--refresh-token-file", "-"}, WantErr: "--with-refresh-token with --output json or env"},
		{Name: "refresh token as a flag", Args: []string{"--refresh-token", "x"}, WantErr: "unknown flag: --refresh-token"},
	})
}
