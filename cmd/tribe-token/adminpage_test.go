package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest"
)

// TestAdminPageInABrowser opens the mock's admin page, GET /__admin/, in
// a real headless browser (Debian's chromium), after a request to the
// mock. Chromium makes background connections of its own, so the mock and
// the browser run in a network namespace of their own with only loopback
// (unshare -rn): no packet leaves the machine.
func TestAdminPageInABrowser(t *testing.T) {
	tools := map[string]string{}
	for _, name := range []string{"chromium", "unshare", "ip"} {
		p, err := exec.LookPath(name)
		if err != nil {
			if os.Getenv("TRIBEKIT_REQUIRE_CHROMIUM") == "1" {
				t.Fatalf("%s is not on PATH, and TRIBEKIT_REQUIRE_CHROMIUM=1", name)
			}
			t.Skipf("%s is not on PATH; install chromium (and util-linux, iproute2) to run this test", name)
		}
		tools[name] = p
	}
	if err := exec.Command(tools["unshare"], "-rn", "true").Run(); err != nil {
		if os.Getenv("TRIBEKIT_REQUIRE_CHROMIUM") == "1" {
			t.Fatalf("unshare -rn: %v", err)
		}
		t.Skipf("cannot make a network namespace (unshare -rn: %v)", err)
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	script := `set -e
ip link set lo up
"$BIN" mock --admin --addr 127.0.0.1:8080 -o json > "$DIR/mock.out" 2> "$DIR/mock.err" &
mock=$!
for i in $(seq 100); do grep -q graphql "$DIR/mock.out" 2>/dev/null && break; sleep 0.1; done
"$BIN" mint --network net-acme > /dev/null 2> "$DIR/mint.err"
chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$DIR/profile" \
  --dump-dom http://127.0.0.1:8080/__admin/ 2> "$DIR/chromium.err"
kill $mock`
	cmd := exec.CommandContext(t.Context(), tools["unshare"], "-rn", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "BIN="+bin, "DIR="+dir, "PATH="+os.Getenv("PATH"),
		"TRIBE_ENDPOINT=http://127.0.0.1:8080/graphql", "TRIBE_CLIENT_ID="+tribetest.DefaultClientID, "TRIBE_CLIENT_SECRET="+tribetest.DefaultClientSecret)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.Output(); close(done) }()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("the browser did not finish in 90 seconds")
	}
	require.NoError(t, err, "mint: %s", func() string { b, _ := os.ReadFile(dir + "/mint.err"); return string(b) }())
	dom := string(out)
	assert.Contains(t, dom, "<title>tribetest: requests and deliveries</title>")
	assert.Contains(t, dom, "Deliveries to apps")
	assert.Contains(t, dom, "limitedToken", "the mint's request is listed")
	assert.NotContains(t, strings.ToLower(dom), "<script", "the page runs no script")
}
