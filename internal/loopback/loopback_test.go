package loopback

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LOCALHOST", true},
		{"LocalHost", true},
		{"127.0.0.1", true},
		{"127.255.0.9", true},
		{"::1", true},
		{"[::1]", true},
		{"0:0:0:0:0:0:0:1", true},
		{"::ffff:127.0.0.1", true},
		{"[::ffff:127.0.0.1]", true},

		// Names a resolver is asked about.
		{"localhost.", false},
		{"LOCALHOST.", false},
		{"Localhost.", false},
		{"localhost..", false},
		{"app.localhost", false},
		{"app.localhost.", false},
		{"localhost.localdomain", false},
		{"localhost.example.com", false},
		{"127.0.0.1.example.com", false},
		{"127.0.0.1.", false},
		{"127.1", false},
		{"2130706433", false},
		{"0x7f.0.0.1", false},
		{" localhost", false},
		{"localhost ", false},
		{"localhost:80", false},
		{"::1%lo", false},
		{"[::1%lo]", false},

		// Not loopback at all, or malformed.
		{"[127.0.0.1]", false},
		{"[::1", false},
		{"::1]", false},
		{"0.0.0.0", false},
		{"::", false},
		{"10.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"", false},
		{"example.com", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			assert.Equal(t, tt.want, Host(tt.host))
		})
	}
}
