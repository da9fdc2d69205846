package delivery_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/tribekit/tribekit/tribe/webhook"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/delivery"
)

func wait(t *testing.T, d *delivery.Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, d.Wait(ctx))
}

func TestSendDeliversSignedRequests(t *testing.T) {
	rc := newReceiver(t, nil)
	d := fast(t, delivery.Options{})
	body := `{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"ev-1"}}`
	id := d.Send(job("net-acme", rc.URL+"/webhook", body))
	wait(t, d)

	reqs := rc.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, body, reqs[0].body, "the body as sent")
	assert.Equal(t, "application/json", reqs[0].header.Get("Content-Type"))
	assert.Len(t, reqs[0].header.Get(webhook.HeaderTimestamp), 13, "milliseconds")
	assert.NotEmpty(t, reqs[0].header.Get(webhook.HeaderSignature)) // verified by the receiver

	list := d.Deliveries()
	require.Len(t, list, 1)
	dl := list[0]
	assert.Equal(t, id, dl.ID)
	assert.Equal(t, delivery.Delivered, dl.State)
	assert.Equal(t, "net-acme", dl.Community)
	assert.Equal(t, "post.published", dl.Event)
	assert.Equal(t, rc.URL+"/webhook", dl.URL)
	require.Len(t, dl.Attempts, 1)
	assert.Equal(t, 200, dl.Attempts[0].Status)
	assert.Equal(t, `{"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}`, dl.Attempts[0].Answer)
	assert.Positive(t, dl.Attempts[0].Duration)
	assert.False(t, dl.Settled.Before(dl.Created))
}

func TestFirstAttemptsGoOutInOrderPerCommunity(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond) // let a second request overtake, if it could
		_, _ = w.Write([]byte(`{}`))
	})
	d := fast(t, delivery.Options{})
	var want []string
	for i := range 30 {
		b := fmt.Sprintf(`{"n":%d}`, i)
		want = append(want, b)
		d.Send(job("net-acme", rc.URL, b))
	}
	wait(t, d)
	assert.Equal(t, want, rc.bodies())
}

func TestRetries(t *testing.T) {
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		require.NoError(t, ln.Close())
		return "http://" + addr + "/webhook"
	}
	for _, tc := range []struct {
		name     string
		answer   func(n int, w http.ResponseWriter, r *http.Request)
		url      string
		attempts int
		state    delivery.State
		statuses []int
	}{
		{"500 then 200", func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				w.WriteHeader(500)
			}
		}, "", 5, delivery.Delivered, []int{500, 200}},
		{"a redirect is not followed", func(n int, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
			}
		}, "", 5, delivery.Delivered, []int{302, 200}},
		{"always 503", func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, "", 3, delivery.Failed, []int{503, 503, 503}},
		{"refused", nil, "refused", 3, delivery.Failed, []int{0, 0, 0}},
		{"one attempt only", func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, "", 1, delivery.Failed, []int{500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, tc.answer)
			url := rc.URL
			if tc.url == "refused" {
				url = refused()
			}
			d := fast(t, delivery.Options{Attempts: tc.attempts})
			d.Send(job("net-acme", url, `{"id":"ev-1"}`))
			wait(t, d)
			dl := d.Deliveries()[0]
			assert.Equal(t, tc.state, dl.State)
			var statuses []int
			for _, a := range dl.Attempts {
				statuses = append(statuses, a.Status)
				if a.Status == 0 {
					assert.Contains(t, a.Error, "refused")
				}
			}
			assert.Equal(t, tc.statuses, statuses)
			if tc.url == "" {
				for _, b := range rc.bodies() {
					assert.Equal(t, `{"id":"ev-1"}`, b, "a retry sends the same body, so the same event id")
				}
			}
		})
	}
}

func TestTimeoutIsRetried(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			<-r.Context().Done() // hang until the mock gives up
		}
	})
	d := fast(t, delivery.Options{Timeout: 200 * time.Millisecond})
	d.Send(job("net-acme", rc.URL, `{}`))
	wait(t, d)
	dl := d.Deliveries()[0]
	require.Len(t, dl.Attempts, 2)
	assert.Contains(t, dl.Attempts[0].Error, "timeout: no answer within 200ms")
	assert.Less(t, dl.Attempts[0].Duration, time.Second, "one timeout per attempt")
	assert.Equal(t, delivery.Delivered, dl.State)
}

func TestARetryDoesNotHoldBackLaterDeliveries(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.WriteHeader(500)
		}
	})
	d := fast(t, delivery.Options{Backoff: 300 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	d.Send(job("net-acme", rc.URL, `{"n":1}`))
	d.Send(job("net-acme", rc.URL, `{"n":2}`))
	wait(t, d)
	assert.Equal(t, []string{`{"n":1}`, `{"n":2}`, `{"n":1}`}, rc.bodies(), "the second goes out while the first waits for its retry")
}

func TestAHangingReceiverHoldsUpOnlyItsCommunity(t *testing.T) {
	release := make(chan struct{})
	hang := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	ok := newReceiver(t, nil)
	timeout := 500 * time.Millisecond
	d := fast(t, delivery.Options{Timeout: timeout, Attempts: 1})
	start := time.Now()
	d.Send(job("net-slow", hang.URL, `{"n":1}`))
	d.Send(job("net-slow", ok.URL, `{"n":2}`))
	d.Send(job("net-fast", ok.URL, `{"n":3}`))
	require.Eventually(t, func() bool { return len(ok.bodies()) >= 1 }, 5*time.Second, 5*time.Millisecond)
	assert.Less(t, time.Since(start), timeout, "another community is not held up")
	assert.Equal(t, []string{`{"n":3}`}, ok.bodies())
	wait(t, d)
	reqs := ok.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, `{"n":2}`, reqs[1].body)
	held := reqs[1].at.Sub(start)
	assert.GreaterOrEqual(t, held, timeout, "its own community waits for the timeout")
	assert.Less(t, held, timeout+time.Second, "but not longer than one timeout")
}

func TestDuplicateResendsADeliveredEvent(t *testing.T) {
	rc := newReceiver(t, nil)
	d := fast(t, delivery.Options{})
	d.Duplicate(1)
	d.Send(job("net-acme", rc.URL, `{"id":"ev-1"}`))
	d.Send(job("net-acme", rc.URL, `{"id":"ev-2"}`))
	wait(t, d)
	bodies := rc.bodies()
	assert.ElementsMatch(t, []string{`{"id":"ev-1"}`, `{"id":"ev-1"}`, `{"id":"ev-2"}`}, bodies)
	list := d.Deliveries()
	require.Len(t, list[0].Attempts, 2)
	assert.False(t, list[0].Attempts[0].Duplicate)
	assert.True(t, list[0].Attempts[1].Duplicate)
	assert.Equal(t, delivery.Delivered, list[0].State)
	assert.Len(t, list[1].Attempts, 1, "one duplicate, as asked")
}

func TestDuplicateAfterARetry(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.WriteHeader(500)
		}
	})
	d := fast(t, delivery.Options{})
	d.Duplicate(1)
	d.Send(job("net-acme", rc.URL, `{"id":"ev-1"}`))
	wait(t, d)
	dl := d.Deliveries()[0]
	require.Len(t, dl.Attempts, 3)
	assert.Equal(t, []bool{false, false, true}, []bool{dl.Attempts[0].Duplicate, dl.Attempts[1].Duplicate, dl.Attempts[2].Duplicate})
}

func TestSendSettlesAtOnce(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	for _, tc := range []struct {
		name  string
		url   string
		state delivery.State
		why   string
	}{
		{"not http", "ftp://127.0.0.1/x", delivery.Dropped, "not an http or https URL"},
		{"no host", "http:///x", delivery.Dropped, "with a host"},
		{"garbage", "::", delivery.Dropped, "not an http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := fast(t, delivery.Options{})
			d.Send(job("net-acme", tc.url, `{}`))
			wait(t, d)
			dl := d.Deliveries()[0]
			assert.Equal(t, tc.state, dl.State)
			assert.Contains(t, dl.Error, tc.why)
			assert.Empty(t, dl.Attempts)
		})
	}
	t.Run("a full queue", func(t *testing.T) {
		d := fast(t, delivery.Options{QueueLimit: 2, Timeout: 200 * time.Millisecond, Attempts: 1})
		for range 4 { // one in flight, two queued, one dropped
			d.Send(job("net-acme", rc.URL, `{}`))
			time.Sleep(20 * time.Millisecond)
		}
		list := d.Deliveries()
		assert.Equal(t, delivery.Dropped, list[3].State)
		assert.Contains(t, list[3].Error, "the most the queue holds")
		wait(t, d)
	})
}

func TestWaitWithAContext(t *testing.T) {
	release := make(chan struct{})
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	d := fast(t, delivery.Options{})
	require.NoError(t, d.Wait(context.Background()), "nothing sent")
	d.Send(job("net-acme", rc.URL, `{}`))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := d.Wait(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "1 deliveries still pending")
	close(release)
	wait(t, d)
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	hang := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	failing := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	ok := newReceiver(t, nil)
	d := delivery.New(delivery.Options{Backoff: time.Hour})
	d.Send(job("a", hang.URL, `{}`))    // in flight
	d.Send(job("a", ok.URL, `{}`))      // queued behind it
	d.Send(job("b", failing.URL, `{}`)) // waiting for a retry
	d.Send(job("c", ok.URL, `{}`))      // delivered, its connection idle
	require.Eventually(t, func() bool {
		if len(failing.bodies()) != 1 || len(ok.bodies()) != 1 {
			return false
		}
		for _, dl := range d.Deliveries() {
			if dl.State == delivery.Delivered {
				return true // the answer is recorded, not only received
			}
		}
		return false
	}, 5*time.Second, time.Millisecond)
	done := make(chan struct{})
	go func() { d.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	states := map[delivery.State]int{}
	for _, dl := range d.Deliveries() {
		states[dl.State]++
	}
	assert.Equal(t, map[delivery.State]int{delivery.Canceled: 3, delivery.Delivered: 1}, states)
	assert.NoError(t, d.Wait(context.Background()), "nothing is pending after Close")
	d.Send(job("c", ok.URL, `{}`))
	assert.Equal(t, delivery.Canceled, d.Deliveries()[4].State, "a send after Close settles at once")
	_, err := d.Call(context.Background(), job("c", ok.URL, `{}`), 0)
	assert.ErrorContains(t, err, "closed")
	hang.CloseClientConnections()
	hang.Close()
	failing.Close()
	ok.Close()
}

func TestRecordIsBounded(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("a", 100)))
	})
	d := fast(t, delivery.Options{RecordLimit: 3, AnswerLimit: 10})
	for i := range 5 {
		d.Send(job("net-acme", rc.URL+"/hook?token=s3cret", fmt.Sprintf(`{"n":%d}`, i)))
	}
	wait(t, d)
	list := d.Deliveries()
	require.Len(t, list, 3)
	assert.Equal(t, []string{"dlv-3", "dlv-4", "dlv-5"}, []string{list[0].ID, list[1].ID, list[2].ID})
	assert.Equal(t, strings.Repeat("a", 10), list[2].Attempts[0].Answer)
	assert.Equal(t, rc.URL+"/hook", list[2].URL, "the record holds no query, which may hold a secret")
	d.ClearRecord()
	assert.Empty(t, d.Deliveries())
}

func TestReportSeesEachAttempt(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.WriteHeader(500)
		}
	})
	var mu sync.Mutex
	var seen []string
	d := fast(t, delivery.Options{Report: func(dl delivery.Delivery) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s %d", dl.State, len(dl.Attempts)))
	}})
	d.Send(job("net-acme", rc.URL, `{}`))
	d.Send(job("net-acme", "ftp://x", `{}`))
	wait(t, d)
	mu.Lock()
	defer mu.Unlock()
	assert.ElementsMatch(t, []string{"pending 1", "delivered 2", "dropped 0"}, seen)
}

func TestBackoffDoublesUpToTheMax(t *testing.T) {
	d := fast(t, delivery.Options{Backoff: time.Second, MaxBackoff: 5 * time.Second})
	var got []time.Duration
	for n := 1; n <= 5; n++ {
		got = append(got, d.Backoff(n))
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}, got)
}

func TestJobStringHasNoSecret(t *testing.T) {
	j := job("net-acme", "http://user:pw@127.0.0.1/x?key=k", `{"secret":"no"}`)
	for _, s := range []string{j.String(), fmt.Sprintf("%v", j), fmt.Sprintf("%+v", j), fmt.Sprintf("%#v", j)} {
		assert.NotContains(t, s, secret)
		assert.NotContains(t, s, "pw")
		assert.NotContains(t, s, "key=k")
		assert.NotContains(t, s, `"secret"`)
	}
}
