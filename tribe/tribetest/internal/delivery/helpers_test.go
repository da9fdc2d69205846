package delivery_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tribekit/tribekit/tribe/webhook"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/delivery"
)

const secret = "whsec-test-0123456789abcdef"

// got is a request a receiver got.
type got struct {
	at     time.Time
	header http.Header
	body   string
}

// receiver is an app's endpoint on loopback that records what it gets and
// answers with answer (nil: 200 SUCCEEDED).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []got
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func newReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	t.Helper()
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading a delivery: %v", err)
		}
		rc.mu.Lock()
		rc.got = append(rc.got, got{at: time.Now(), header: r.Header.Clone(), body: string(body)})
		n := len(rc.got)
		rc.mu.Unlock()
		if err := webhook.Verify(r.Header, body, time.Now(), secret); err != nil {
			t.Errorf("a delivery does not verify: %v", err)
		}
		if rc.answer != nil {
			rc.answer(n, w, r)
			return
		}
		_, _ = io.WriteString(w, `{"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}`)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// bodies are the bodies the receiver got, in order.
func (rc *receiver) bodies() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]string, len(rc.got))
	for i, g := range rc.got {
		out[i] = g.body
	}
	return out
}

func (rc *receiver) requests() []got {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]got(nil), rc.got...)
}

// job is a SUBSCRIPTION of community to url, with body.
func job(community, url, body string) delivery.Job {
	return delivery.Job{Community: community, AppID: "app-1", Type: "SUBSCRIPTION", Event: "post.published", EventID: body, URL: url, Secret: secret, Body: []byte(body)}
}

// fast is a dispatcher with short timings for tests, closed at the end.
func fast(t *testing.T, o delivery.Options) *delivery.Dispatcher {
	t.Helper()
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	if o.Backoff == 0 {
		o.Backoff = 10 * time.Millisecond
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = 40 * time.Millisecond
	}
	d := delivery.New(o)
	t.Cleanup(d.Close)
	return d
}
