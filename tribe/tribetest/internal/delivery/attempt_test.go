package delivery_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/delivery"
)

func TestCallAnswersSynchronously(t *testing.T) {
	rc := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"c-1"}}`)
	})
	d := fast(t, delivery.Options{})
	j := delivery.Job{Community: "net-acme", AppID: "app-1", Type: "TEST", URL: rc.URL, Secret: secret, Body: []byte(`{"type":"TEST","data":{"challenge":"c-1"}}`)}
	res, err := d.Call(context.Background(), j, 0)
	require.NoError(t, err)
	assert.Equal(t, 200, res.Status)
	require.NoError(t, delivery.CheckTest(res, "c-1"))
	dl := d.Deliveries()
	require.Len(t, dl, 1)
	assert.Equal(t, delivery.Delivered, dl[0].State)
	assert.Equal(t, "TEST", dl[0].Type)
}

func TestCallFails(t *testing.T) {
	hang := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	big := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, strings.Repeat("x", 5000))
	})
	failing := newReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	d := fast(t, delivery.Options{Timeout: 200 * time.Millisecond})
	mk := func(url string) delivery.Job {
		return delivery.Job{Community: "c", Type: "INTERACTION", URL: url, Secret: secret, Body: []byte(`{}`)}
	}

	start := time.Now()
	_, err := d.Call(context.Background(), mk(hang.URL), 0)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "timeout: no answer within 200ms")
	assert.Less(t, time.Since(start), time.Second)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = d.Call(ctx, mk(hang.URL), 0)
	assert.Error(t, err, "the caller's context ends it")

	res, err := d.Call(context.Background(), mk(big.URL), 1000)
	require.NoError(t, err)
	assert.Len(t, res.Body, 1000, "the answer read is bounded")

	res, err = d.Call(context.Background(), mk(failing.URL), 0)
	require.NoError(t, err, "an answer, for the caller to judge")
	assert.Equal(t, 500, res.Status)

	states := []delivery.State{}
	for _, dl := range d.Deliveries() {
		states = append(states, dl.State)
	}
	assert.Equal(t, []delivery.State{delivery.Failed, delivery.Failed, delivery.Delivered, delivery.Failed}, states)
	assert.NoError(t, d.Wait(context.Background()))
}
