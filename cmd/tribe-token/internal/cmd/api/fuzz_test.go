package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
)

// FuzzVariables feeds -F and -f arguments and --variables text: parsing
// never panics, a name that is accepted is a GraphQL name, a -f value comes
// back as written, and the variables always encode as JSON. No file is
// read (values starting with @ are left out).
func FuzzVariables(f *testing.F) {
	f.Add("a=1", "b=x", `{"c": true}`)
	f.Add("n=null", "s=", `{}`)
	f.Add("x=-1.5e10", "y=a=b", `{"z": [1, {"w": null}]}`)
	f.Add("bad", "1a=x", `[1]`)
	f.Add("t=true", "u=\x1b[31m", `{"v": "\u202e"}`)
	f.Fuzz(func(t *testing.T, typed, raw, variables string) {
		if strings.Contains(typed, "=@") {
			return
		}
		fac, _, _ := cmdtest.Factory(nil, "")
		vars, err := Variables(fac, variables, []string{raw}, []string{typed})
		if err != nil {
			return
		}
		for name := range vars {
			if !graphQLName.MatchString(name) {
				t.Fatalf("accepted %q, not a GraphQL name", name)
			}
		}
		if name, value, ok := strings.Cut(raw, "="); ok {
			if tn, _, _ := strings.Cut(typed, "="); tn != name && vars[name] != value {
				t.Fatalf("-f %q came back as %#v", raw, vars[name])
			}
		}
		if _, err := json.Marshal(vars); err != nil {
			t.Fatalf("variables do not encode: %v", err)
		}
	})
}
