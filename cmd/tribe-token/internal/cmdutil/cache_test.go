package cmdutil

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
)

// fakeSentinel is a Redis Sentinel on loopback that names masterIP as the
// master of every name, and refuses every other command.
func fakeSentinel(t *testing.T, masterIP string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	serve := func(c net.Conn) {
		defer wg.Done()
		defer c.Close()
		rd := bufio.NewReader(c)
		for {
			// A command: *N, then N bulk strings ($len, the word).
			line, err := rd.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "*") {
				return
			}
			n, _ := strconv.Atoi(strings.TrimSpace(line[1:]))
			var words []string
			for range min(n, 16) {
				if _, err := rd.ReadString('\n'); err != nil {
					return
				}
				w, err := rd.ReadString('\n')
				if err != nil {
					return
				}
				words = append(words, strings.ToLower(strings.TrimSpace(w)))
			}
			reply := "-ERR unknown command\r\n"
			if len(words) > 1 && words[0] == "sentinel" && words[1] == "get-master-addr-by-name" {
				reply = "*2\r\n$" + strconv.Itoa(len(masterIP)) + "\r\n" + masterIP + "\r\n$4\r\n6379\r\n"
			}
			if _, err := io.WriteString(c, reply); err != nil {
				return
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

func TestCacheRefusesPlainTextToANodeTheSentinelNames(t *testing.T) {
	// 192.0.2.1 is a documentation address (RFC 5737): it is refused before
	// any dial, so no packet is sent to it.
	sentinel := fakeSentinel(t, "192.0.2.1")
	key := base64.StdEncoding.EncodeToString(make([]byte, 32))
	var stderr strings.Builder
	f := New(strings.NewReader(""), &strings.Builder{}, &stderr, func(name string) string {
		return map[string]string{"TRIBE_CACHE_KEY": key}[name]
	})
	flags := CacheFlags{URL: "redis://" + sentinel + "?master_name=mymaster"}
	app := &tribe.App{ClientID: "id", ClientSecret: "secret", Endpoint: "http://127.0.0.1:1/graphql"}
	tc, err := flags.Open(context.Background(), f, app)
	require.NoError(t, err, "Redis failing is no failure of the run")
	tc.Close()
	warning := stderr.String()
	assert.Contains(t, warning, "192.0.2.1:6379 is to be dialled without TLS")
	assert.Contains(t, warning, "use rediss:// (TLS), or pass --insecure-http", "the library's option is named by the CLI's flag")
	assert.NotContains(t, warning, "Options.AllowInsecure")
	assert.NotContains(t, warning, key)
}
