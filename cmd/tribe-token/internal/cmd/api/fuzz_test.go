package api

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
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

// FuzzPrinter feeds answer data: whatever checkJSON lets through, the
// printer writes as JSON that reads back to the same value, and that is
// inert on a terminal (its line breaks aside).
func FuzzPrinter(f *testing.F) {
	f.Add(`{"a":[1,2.50,{"b":null}],"c":"x\u202ey"}`)
	f.Add("{\"c\":\"\x1b\xff\u2028\"}")
	f.Add(`[[],{},"",0,-1e-7,true]`)
	f.Add(`{"pageInfo":{"hasNextPage":true,"endCursor":"c"},"nodes":[{"id":1}]}`)
	f.Add(`{"big":1e1000,"small":-1E-1000}`)
	f.Fuzz(func(t *testing.T, data string) {
		if checkJSON([]byte(data)) != nil {
			return
		}
		var out bytes.Buffer
		if err := newPrinter(context.Background(), &out, []string{"tok-secret"}).answer([]byte(data)); err != nil {
			t.Fatalf("checked data not printed: %v", err)
		}
		// Numbers are printed as written, and JSON (RFC 8259, section 6)
		// allows numbers past float64's range, so validity is checked on
		// the text; values are compared where encoding/json can hold them.
		if err := checkJSON(out.Bytes()); err != nil || !json.Valid(out.Bytes()) {
			t.Fatalf("printed %q is not JSON: %v", out.String(), err)
		}
		var want any
		if err := json.Unmarshal([]byte(data), &want); err != nil {
			return // encoding/json refuses what jsontext reads (e.g. numbers past float64)
		}
		var got struct{ Data any }
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("printed %q does not read back: %v", out.String(), err)
		}
		if strings.Contains(data, "tok") {
			return // may be redacted
		}
		if !reflect.DeepEqual(want, got.Data) {
			t.Fatalf("%q printed as %q", data, out.String())
		}
		if !cmdutil.IsInert(strings.ReplaceAll(out.String(), "\n", "")) {
			t.Fatalf("%q printed as %q, not inert", data, out.String())
		}
	})
}
