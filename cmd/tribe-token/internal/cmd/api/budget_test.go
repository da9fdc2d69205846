package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

func TestByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		text    string
		wantErr bool
	}{
		{in: "1", want: 1, text: "1B"},
		{in: "100B", want: 100, text: "100B"},
		{in: "1536", want: 1536, text: "1536B"},
		{in: "3072", want: 3072, text: "3KiB"},
		{in: "1023", want: 1023, text: "1023B"},
		{in: "64MiB", want: 64 << 20, text: "64MiB"},
		{in: "64 MiB", want: 64 << 20, text: "64MiB"},
		{in: "1GiB", want: 1 << 30, text: "1GiB"},
		{in: "1536MiB", want: 1536 << 20, text: "1536MiB"},
		{in: "1024GiB", want: 1 << 40, text: "1024GiB"},
		{in: "0", want: 0, text: "0B"},
		{in: "1025GiB", wantErr: true},
		{in: "9223372036854775807GiB", wantErr: true},
		{in: "-5", wantErr: true},
		{in: "1.5GiB", wantErr: true},
		{in: "64mib", wantErr: true},
		{in: "MiB", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var b byteSize
			err := b.Set(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "e.g. 256MiB")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, int64(b))
			assert.Equal(t, tt.text, b.String())
		})
	}
}

// TestBudgetTransport: answer bodies are counted together against the
// budget; an answer that ends at the limit is read whole, one that passes
// it fails when it does, and so does every body read after.
func TestBudgetTransport(t *testing.T) {
	srv, _ := graphQLServer(t, func(n int, w http.ResponseWriter) {
		_, _ = w.Write(bytes.Repeat([]byte{'x'}, 1000))
	})
	hc := httpClient(&cmdutil.Factory{}, newBudget(2500))
	read := func() (int, error) {
		res, err := hc.Get(srv.URL)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		return len(b), err
	}
	for range 2 {
		n, err := read()
		require.NoError(t, err)
		assert.Equal(t, 1000, n)
	}
	n, err := read()
	var mb *errMaxBytes
	require.ErrorAs(t, err, &mb)
	assert.Equal(t, "the answers passed --max-bytes 2500B", err.Error())
	assert.LessOrEqual(t, n, 501, "no more than one byte past the budget")
	_, err = read()
	require.ErrorAs(t, err, &mb, "the budget is spent")

	exact := httpClient(&cmdutil.Factory{}, newBudget(1000))
	res, err := exact.Get(srv.URL)
	require.NoError(t, err)
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err, "an answer that ends at the limit")
	assert.Len(t, b, 1000)
	require.NoError(t, res.Body.Close())
}

// TestAPIMaxBytes: an answer larger than --max-bytes is not printed, and
// the error names the flag and how to raise it; with --paginate, the
// pages read before the one that passed it are printed merged.
func TestAPIMaxBytes(t *testing.T) {
	big := `{"data":{"blob":"` + strings.Repeat("x", 100<<10) + `"}}`
	t.Run("one answer", func(t *testing.T) {
		srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) { _, _ = io.WriteString(w, big) })
		r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "--max-bytes", "64KiB", "query Blob { blob }")
		assert.Equal(t, cmdutil.ExitFailure, r.Code, r.Stderr)
		assert.Empty(t, r.Stdout)
		assert.Equal(t, "tribe-token: the answers passed --max-bytes 64KiB (65536 bytes) reading Blob; raise --max-bytes to read more, e.g. --max-bytes 128KiB\n", r.Stderr)

		r = cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "--max-bytes", "128KiB", "query Blob { blob }")
		require.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Contains(t, r.Stdout, strings.Repeat("x", 100<<10))
	})
	t.Run("pages", func(t *testing.T) {
		srv, n := graphQLServer(t, func(n int, w http.ResponseWriter) {
			fmt.Fprintf(w, `{"data":{"members":{"nodes":[{"id":"m%d","pad":"%s"}],"pageInfo":{"hasNextPage":true,"endCursor":"c%d"}}}}`, n, strings.Repeat("p", 10<<10), n)
		})
		r := cmdtest.Exec(t.Context(), tokenEnv(srv), nil, NewCmdAPI, "--paginate", "--max-bytes", "25KiB", `query Members($after: String) { members(after: $after) { nodes { id pad } pageInfo { hasNextPage endCursor } } }`)
		assert.Equal(t, cmdutil.ExitFailure, r.Code, r.Stderr)
		assert.Equal(t, int32(3), n.Load(), "the third page passes 25KiB")
		assert.Equal(t, "tribe-token: the answers passed --max-bytes 25KiB (25600 bytes) reading Members; raise --max-bytes to read more, e.g. --max-bytes 50KiB; the pages so far are printed\n", r.Stderr)
		var out struct {
			Data struct {
				Members struct {
					Nodes    []struct{ ID string }
					PageInfo struct{ EndCursor string }
				}
			}
		}
		require.NoError(t, json.Unmarshal([]byte(r.Stdout), &out), r.Stdout)
		require.Len(t, out.Data.Members.Nodes, 2)
		assert.Equal(t, "m2", out.Data.Members.Nodes[1].ID)
		assert.Equal(t, "c2", out.Data.Members.PageInfo.EndCursor)
	})
}

// TestAPITimeoutBoundsPrinting: the command's one context, made at its
// start from --timeout, also ends the printing of the answer.
func TestAPITimeoutBoundsPrinting(t *testing.T) {
	srv, _ := graphQLServer(t, func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, `{"data":{"nodes":[`+strings.Repeat(`{"id":1},`, 3*checkEvery)+`{"id":1}]}}`)
	})
	f, _, stderr := cmdtest.Factory(tokenEnv(srv), "")
	ctx, cancel := context.WithCancel(t.Context())
	// The answer arrives, then the context ends before it is printed.
	out := &cancelOnWrite{cancel: cancel}
	f.Out = out
	code := cmdutil.Execute(ctx, f, newRoot(f), []string{"api", "{ nodes { id } }"})
	assert.Equal(t, cmdutil.ExitFailure, code)
	assert.Equal(t, "tribe-token: context canceled\n", stderr.String())
	assert.Less(t, out.n, 3*checkEvery*len(`{"id":1},`), "printing stopped")
}

// cancelOnWrite cancels a context on its first write.
type cancelOnWrite struct {
	cancel context.CancelFunc
	n      int
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.cancel()
	w.n += len(p)
	return len(p), nil
}
