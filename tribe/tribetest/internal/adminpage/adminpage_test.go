package adminpage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/adminpage"
)

func TestWriteShowsRequestsAndDeliveries(t *testing.T) {
	at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var b strings.Builder
	require.NoError(t, adminpage.Write(&b, adminpage.Page{
		Now:        at,
		Requests:   []adminpage.Request{{Time: at, Method: "POST", Path: "/graphql", Operation: "createPost", MemberID: "mem-carol", Status: 200, ErrorCodes: "102", DurationMs: 1.25}},
		Deliveries: []adminpage.Delivery{{ID: "dlv-1", Created: at, Type: "SUBSCRIPTION", Event: "post.published", EventID: "ev1", URL: "http://127.0.0.1:9/webhook", State: "failed", Attempts: 5, Last: "HTTP 500"}},
	}))
	html := b.String()
	for _, want := range []string{"createPost", "mem-carol", "1.2", "post.published", "dlv-1", "HTTP 500", `class="bad">failed`, "12:00:00.000"} {
		assert.Contains(t, html, want)
	}
}

func TestWriteEscapesAndLoadsNothing(t *testing.T) {
	var b strings.Builder
	require.NoError(t, adminpage.Write(&b, adminpage.Page{Requests: []adminpage.Request{{Path: `/x"><script>alert(1)</script>`, Operation: "<img src=http://example.com/x>"}}}))
	html := b.String()
	assert.NotContains(t, html, "<script")
	assert.NotContains(t, html, "<img")
	for _, tag := range []string{"src=", "<link", "@import", "url("} {
		assert.NotContains(t, strings.ReplaceAll(html, "&lt;img src=", ""), tag, "the page loads nothing")
	}
	b.Reset()
	require.NoError(t, adminpage.Write(&b, adminpage.Page{}))
	assert.Contains(t, b.String(), "No delivery yet.")
	assert.Contains(t, b.String(), "No request yet.")
}
