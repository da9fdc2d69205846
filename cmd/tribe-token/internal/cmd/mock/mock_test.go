package mock

import (
	"testing"
	"time"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
)

func TestNewCmdMock(t *testing.T) {
	def := Options{Addr: "127.0.0.1:0", Output: "text"}
	cmdtest.RunFlagTable(t, NewCmdMock, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: def},
		{Name: "every flag", Args: []string{"--addr", ":8080", "--fixtures", "fx.json", "--print-credentials", "--token-lifetime", "5m", "--log", "--crm", "-o", "env"},
			Want: Options{Addr: ":8080", Fixtures: "fx.json", PrintCredentials: true, TokenLifetime: 5 * time.Minute, Log: true, CRM: true, Output: "env"}},
		{Name: "json", Args: []string{"-o", "json"}, Want: Options{Addr: "127.0.0.1:0", Output: "json"}},
		{Name: "short lifetime", Args: []string{"--token-lifetime", "10ms"}, WantErr: "--token-lifetime 10ms is too short"},
		{Name: "addr without port", Args: []string{"--addr", "nonsense"}, WantErr: `--addr "nonsense" is not HOST:PORT`},
		{Name: "addr bad port", Args: []string{"--addr", "127.0.0.1:99999"}, WantErr: "--addr \"127.0.0.1:99999\" has no port number"},
		{Name: "table output", Args: []string{"-o", "table"}, WantErr: `unknown --output "table"`},
	})
}
