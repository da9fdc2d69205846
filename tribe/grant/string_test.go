package grant

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestConfigStringHidesTheSecret: String, GoString and every fmt verb show
// the endpoint and the client id, never the secret, nor a URL's password,
// query or fragment, nor the secret pasted into a URL's path.
func TestConfigStringHidesTheSecret(t *testing.T) {
	const secret = "s3cret-client-value"
	for _, tc := range []struct {
		name string
		c    Config
		want string
	}{
		{"community URL", Config{CommunityURL: "https://c.example.com", ClientID: "cid", ClientSecret: secret},
			`grant.Config{CommunityURL: "https://c.example.com", ClientID: "cid", ClientSecret: [REDACTED]}`},
		{"no secret", Config{TokenURL: "https://c.example.com/t", ClientID: "cid"},
			`grant.Config{TokenURL: "https://c.example.com/t", ClientID: "cid", ClientSecret: unset}`},
		{"userinfo, query and fragment", Config{TokenURL: "https://id:pw-1@c.example.com/t?a=b#frag", ClientSecret: secret, AllowInsecureHTTP: true, UserAgent: "app/1"},
			`grant.Config{TokenURL: "https://id:xxxxx@c.example.com/t?[REDACTED]#[REDACTED]", ClientID: "", ClientSecret: [REDACTED], AllowInsecureHTTP: true, UserAgent: "app/1"}`},
		{"secret in the path", Config{CommunityURL: "https://c.example.com/" + secret, ClientSecret: secret},
			`grant.Config{CommunityURL: "https://c.example.com/[REDACTED]", ClientID: "", ClientSecret: [REDACTED]}`},
		{"unparsable", Config{CommunityURL: "%zz" + secret, ClientSecret: secret},
			`grant.Config{CommunityURL: "[unparsable URL]", ClientID: "", ClientSecret: [REDACTED]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.c.String())
			assert.Equal(t, tc.want, tc.c.GoString())
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				assert.Equal(t, tc.want, fmt.Sprintf(verb, tc.c), verb)
				assert.Equal(t, tc.want, fmt.Sprintf(verb, &tc.c), verb)
			}
		})
	}
}
