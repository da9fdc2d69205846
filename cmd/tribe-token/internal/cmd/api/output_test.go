package api

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// TestPrinterMatchesEncodingJSON: for data with nothing to escape, the
// printer writes byte for byte what encoding/json's indented encoder
// writes for {"data": data}, as api printed before it streamed.
func TestPrinterMatchesEncodingJSON(t *testing.T) {
	for _, data := range []string{
		`{"a":1}`,
		`{"members":{"totalCount":3,"nodes":[{"id":"m1","name":"Ann"},{"id":"m2","tags":[]},{"id":"m3","x":{}}],"pageInfo":{"hasNextPage":false,"endCursor":null}}}`,
		`{"n":[1,-2.50,1e400,0.1e-7,12345678901234567890],"b":[true,false,null]}`,
		`{"s":"quote \" backslash \\ slash \/ tab \t unicode \u00e9 é and \u2028"}`,
		`{"deep":[[[[{"x":[[]]}]]]]}`,
		`{ "spaced" : [ 1 , { } , [ ] ] }`,
		`[]`, `{}`, `"top"`, `42`,
	} {
		t.Run(data, func(t *testing.T) {
			var want bytes.Buffer
			require.NoError(t, cmdutil.WriteJSON(&want, struct {
				Data json.RawMessage `json:"data"`
			}{json.RawMessage(data)}))
			var got bytes.Buffer
			require.NoError(t, newPrinter(context.Background(), &got, nil).answer([]byte(data)))
			assert.Equal(t, want.String(), got.String())
		})
	}
}

// TestPrinterIsInert: the characters a terminal would act on are written
// as \u escapes, which JSON readers read as the same characters; invalid
// UTF-8 is written as U+FFFD.
func TestPrinterIsInert(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"bidi override", "{\"c\":\"x\u202ey\"}", `"x\u202ey"`},
		{"bidi isolate in a name", "{\"n\u2066\":1}", `"n\u2066": 1`},
		{"DEL", "{\"c\":\"a\x7fb\"}", `"a\u007fb"`},
		{"C1 control (8-bit CSI)", "{\"c\":\"a\u009b31m\"}", `"a\u009b31m"`},
		{"line separator", "{\"c\":\"a\u2028b\"}", `"a\u2028b"`},
		{"escapes stay escapes", `{"c":"\u001b[31m"}`, `"\u001b[31m"`},
		{"a lone 0x9b byte", "{\"c\":\"a\x9bb\"}", `"a\ufffdb"`},
		{"other text as is", `{"c":"héllo 世界 🎉"}`, `"héllo 世界 🎉"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			require.NoError(t, newPrinter(context.Background(), &out, nil).answer([]byte(tt.data)))
			assert.Contains(t, out.String(), tt.want)
			assert.True(t, cmdutil.IsInert(strings.ReplaceAll(out.String(), "\n", "")), "%q", out.String())
			var v any
			require.NoError(t, json.Unmarshal(out.Bytes(), &v), "still JSON")
		})
	}
}

// TestPrinterRedacts: each string (a name too) that holds one of the
// secrets is redacted, in any form redact finds, JSON escapes included;
// others, even shaped like credentials, are the data asked for.
func TestPrinterRedacts(t *testing.T) {
	const secret = "tok-secret-123"
	data := `{"echo":"you sent tok-secret-123","tok-secret-123":1,"escaped":"tok\u002dsecret-123","jwt":"eyJhbGciOiJub25lIn0.e30.x",` +
		`"bearer":"Bearer abcdefgh","list":["a","b tok%2Dsecret-123","100%"]}`
	var out bytes.Buffer
	require.NoError(t, newPrinter(context.Background(), &out, []string{secret}).answer([]byte(data)))
	assert.NotContains(t, out.String(), "secret-123")
	var got struct {
		Data map[string]any `json:"data"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &got))
	assert.Equal(t, "you sent [REDACTED]", got.Data["echo"])
	assert.Equal(t, 1.0, got.Data["[REDACTED]"])
	assert.Equal(t, "[REDACTED]", got.Data["escaped"])
	assert.Equal(t, "eyJhbGciOiJub25lIn0.e30.x", got.Data["jwt"])
	assert.Equal(t, "Bearer abcdefgh", got.Data["bearer"])
	assert.Equal(t, []any{"a", "b [REDACTED]", "100%"}, got.Data["list"])
}

// TestPrinterStopsWithItsContext: printing a long answer ends when the
// command's context does (--timeout bounds printing too).
func TestPrinterStopsWithItsContext(t *testing.T) {
	var data bytes.Buffer
	data.WriteString(`{"nodes":[`)
	for i := range 3 * checkEvery {
		if i > 0 {
			data.WriteByte(',')
		}
		data.WriteString(`{"id":1}`)
	}
	data.WriteString(`]}`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := newPrinter(ctx, &out, nil).answer(data.Bytes())
	require.ErrorIs(t, err, context.Canceled)
}

func TestCheckJSON(t *testing.T) {
	tests := []struct{ name, data, wantErr string }{
		{name: "object", data: `{"a":[1,{"b":null}]}`},
		{name: "invalid UTF-8 let through", data: "{\"a\":\"\xff\"}"},
		{name: "a name twice", data: `{"a":1,"a":2}`, wantErr: "duplicate object member name"},
		{name: "a name twice, escaped", data: `{"a":1,"\u0061":2}`, wantErr: "duplicate object member name"},
		{name: "two values", data: `{} {}`, wantErr: "more than one value"},
		{name: "cut short", data: `{"a":[1,`, wantErr: "unexpected EOF"},
		{name: "not JSON", data: `{a:1}`, wantErr: "invalid character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkJSON([]byte(tt.data))
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}
