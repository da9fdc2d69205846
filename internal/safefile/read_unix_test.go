//go:build unix

package safefile

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadBoundedRefusesWhatIsNotAFile checks a FIFO (which would block an
// open until a writer came) and a device (endless) are refused at once.
func TestReadBoundedRefusesWhatIsNotAFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "token.json")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	tests := []struct{ name, path, want string }{
		{"a FIFO", fifo, "is a named pipe (FIFO), not a regular file"},
		{"a device", "/dev/zero", "is a device, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := ReadBounded(tt.path, 1<<10)
				done <- err
			}()
			select {
			case err := <-done:
				var refused *RefusedError
				require.ErrorAs(t, err, &refused)
				assert.Contains(t, err.Error(), tt.want)
			case <-time.After(10 * time.Second):
				t.Fatal("ReadBounded blocked")
			}
		})
	}
}
