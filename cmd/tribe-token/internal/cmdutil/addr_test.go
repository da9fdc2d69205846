package cmdutil

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckListenAddr(t *testing.T) {
	tests := []struct{ addr, wantErr string }{
		{"127.0.0.1:0", ""},
		{"[::1]:8080", ""},
		{":65535", ""},
		{"localhost", `--addr "localhost" is not HOST:PORT (e.g. 127.0.0.1:8080, or port 0 for any free port): missing port in address`},
		{"127.0.0.1:65536", `--addr "127.0.0.1:65536" has no port number from 0 to 65535`},
		{"127.0.0.1:http", `--addr "127.0.0.1:http" has no port number from 0 to 65535`},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := CheckListenAddr(tt.addr)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			var usage *UsageError
			require.ErrorAs(t, err, &usage)
			assert.Equal(t, tt.wantErr, err.Error())
		})
	}
}
