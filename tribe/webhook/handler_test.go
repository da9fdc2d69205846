package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testSecret = "whsec-handler-test-secret"

// testNow is the handler's clock in these tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// logBuffer collects log lines, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := strings.TrimSpace(b.buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// newHandler returns a handler on testSecret at testNow, logging into the
// returned buffer.
func newHandler(t *testing.T) (*Handler, *logBuffer) {
	t.Helper()
	v, err := NewVerifier(0, testSecret)
	require.NoError(t, err)
	logs := &logBuffer{}
	return &Handler{Verifier: v, Logger: slog.New(slog.NewTextHandler(logs, nil)), Now: func() time.Time { return testNow }}, logs
}

// delivery is a request as Tribe sends it, signed at testNow.
func delivery(t *testing.T, body string) *http.Request {
	t.Helper()
	r, err := NewRequest(context.Background(), "http://app.example/webhook", testSecret, testNow, []byte(body))
	require.NoError(t, err)
	return r
}

// serve runs one request through h and returns the status and body.
func serve(h http.Handler, r *http.Request) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func TestHandlerAnswersTest(t *testing.T) {
	h, logs := newHandler(t)
	var told []string
	h.Test = func(_ context.Context, r *Request, challenge string) {
		told = append(told, r.NetworkID+" "+challenge)
	}
	h.Default = func(context.Context, *Request) (*Answer, error) {
		t.Errorf("Default called for a TEST")
		return nil, nil
	}
	r := delivery(t, `{"networkId":"net-acme","context":"NETWORK","currentSettings":[],"type":"TEST","data":{"challenge":"d77dae12"}}`)
	code, body := serve(h, r)
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"d77dae12"}}`, body)
	assert.Equal(t, []string{"net-acme d77dae12"}, told)
	assert.Empty(t, logs.lines())
}

func TestHandlerTestVector(t *testing.T) {
	v, err := NewVerifier(0, vectorSecret)
	require.NoError(t, err)
	h := &Handler{Verifier: v, Now: func() time.Time { return vectorTime.Add(time.Second) }}
	r := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader(vectorBody))
	r.Header.Set(HeaderSignature, vectorSignature)
	r.Header.Set(HeaderTimestamp, vectorTimestamp)
	code, body := serve(h, r)
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"type":"TEST","status":"SUCCEEDED","data":{"challenge":"c-42"}}`, body)
}

// TestHandlerRefuses: a bad request is answered without calling the app,
// with one log line that holds neither the secret nor the body.
func TestHandlerRefuses(t *testing.T) {
	const event = `{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"ev-secret-body-1","name":"post.published"}}`
	signed := func(body string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request { return delivery(t, body) }
	}
	tests := []struct {
		name    string
		request func(t *testing.T) *http.Request
		max     int64
		status  int
		reason  string
	}{
		{"GET", func(*testing.T) *http.Request { return httptest.NewRequest(http.MethodGet, "/webhook", nil) }, 0, 405, "method GET"},
		{"no signature", func(t *testing.T) *http.Request {
			r := delivery(t, event)
			r.Header.Del(HeaderSignature)
			return r
		}, 0, 403, "no X-Bettermode-Signature header"},
		{"no timestamp", func(t *testing.T) *http.Request {
			r := delivery(t, event)
			r.Header.Del(HeaderTimestamp)
			return r
		}, 0, 403, "no X-Bettermode-Request-Timestamp header"},
		{"wrong secret", func(t *testing.T) *http.Request {
			r, err := NewRequest(context.Background(), "http://app.example/webhook", "whsec-another", testNow, []byte(event))
			require.NoError(t, err)
			return r
		}, 0, 403, "matches no signing secret"},
		{"tampered body", func(t *testing.T) *http.Request {
			r := delivery(t, event)
			r.Body = io.NopCloser(strings.NewReader(strings.Replace(event, "ev-secret-body-1", "ev-secret-body-2", 1)))
			r.ContentLength = -1
			return r
		}, 0, 403, "matches no signing secret"},
		{"stale", func(t *testing.T) *http.Request {
			r, err := NewRequest(context.Background(), "http://app.example/webhook", testSecret, testNow.Add(-time.Hour), []byte(event))
			require.NoError(t, err)
			return r
		}, 0, 403, "signed 1h0m0s ago"},
		{"from the future", func(t *testing.T) *http.Request {
			r, err := NewRequest(context.Background(), "http://app.example/webhook", testSecret, testNow.Add(time.Hour), []byte(event))
			require.NoError(t, err)
			return r
		}, 0, 403, "ahead of this clock"},
		{"oversized, with a length", signed(event), 20, 413, "over the 20 bytes allowed"},
		{"oversized, chunked", func(t *testing.T) *http.Request {
			r := delivery(t, event)
			r.ContentLength = -1
			return r
		}, 20, 413, "over the 20 bytes allowed"},
		{"not JSON", signed(`not json at all`), 0, 400, "not a JSON object"},
		{"a JSON array", signed(`[1,2,3]`), 0, 400, "not a JSON object"},
		{"broken JSON", signed(`{"type":"TEST",`), 0, 400, "not valid JSON"},
		{"no type", signed(`{"networkId":"net-acme","data":{}}`), 0, 400, "no type"},
		{"type not a string", signed(`{"type":12345678}`), 0, 400, "type is a JSON number, not a string"},
		{"type with spaces", signed(`{"type":"NOT A TYPE"}`), 0, 400, "no request type has"},
		{"TEST without a challenge", signed(`{"type":"TEST","data":{}}`), 0, 400, "no data.challenge"},
		{"event data not an object", signed(`{"type":"SUBSCRIPTION","data":"ev-secret-body-1"}`), 0, 400, "data is not a JSON object"},
		{"event id not a string", signed(`{"type":"SUBSCRIPTION","data":{"id":987654321}}`), 0, 400, "data: id is a JSON number, not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, logs := newHandler(t)
			h.MaxBodyBytes = tc.max
			called := false
			h.Event = func(context.Context, *Request, *Event) (*Answer, error) { called = true; return nil, nil }
			h.Default = func(context.Context, *Request) (*Answer, error) { called = true; return nil, nil }
			code, body := serve(h, tc.request(t))
			assert.Equal(t, tc.status, code, body)
			assert.False(t, called, "the app is not called")
			assert.Contains(t, body, tc.reason)
			lines := logs.lines()
			require.Len(t, lines, 1, "one log line")
			assert.Contains(t, lines[0], fmt.Sprintf("status=%d", tc.status))
			assert.Contains(t, lines[0], tc.reason)
			for _, bad := range []string{testSecret, "ev-secret-body", "12345678", "987654321", "not json at all"} {
				assert.NotContains(t, lines[0], bad, "the log holds neither the secret nor the body")
				assert.NotContains(t, body, bad)
			}
		})
	}
}

func TestHandlerDispatchesEachType(t *testing.T) {
	h, logs := newHandler(t)
	var got []string
	note := func(s string) { got = append(got, s) }
	h.Event = func(_ context.Context, r *Request, e *Event) (*Answer, error) {
		note(fmt.Sprintf("event %s %s %s actor=%s post=%s t=%s", r.NetworkID, e.Name, e.ID, e.Actor.ID, e.Target.PostID, e.Time.Format(time.RFC3339)))
		return nil, nil
	}
	h.Installed = func(_ context.Context, _ *Request, in *Installation) (*Answer, error) {
		note("installed " + in.ID + " " + in.AppID + " " + strings.Join(in.Permissions, ","))
		return Store(map[string]string{"greeting": "hi"}), nil
	}
	h.Uninstalled = func(_ context.Context, _ *Request, in *Installation) (*Answer, error) {
		note("uninstalled " + in.ID + " by " + in.UninstalledByID)
		return nil, nil
	}
	h.Interaction = func(_ context.Context, _ *Request, in *InteractionInput) (*Answer, error) {
		note(fmt.Sprintf("interaction %s block=%s callback=%q inputs=%s", in.InteractionID, in.DynamicBlockKey, in.CallbackID, in.Inputs))
		return Interactions(Show("block", json.RawMessage(`{"rootBlock":"b"}`)), OpenToast("t", ToastProps{Status: "success", Title: "Saved"})), nil
	}
	h.ShortcutsStates = func(_ context.Context, _ *Request, in *ShortcutsStatesInput) (*Answer, error) {
		e := in.Entities[0]
		note(fmt.Sprintf("shortcuts %s %s %s %v", in.Member.ID, e.Context, e.Entity.ID, e.Shortcuts))
		return ShortcutStates(EntityShortcutStates{Context: e.Context, EntityID: e.Entity.ID,
			ShortcutStates: []ShortcutState{{Shortcut: "favorite", State: "unmarked"}}}), nil
	}
	h.FederatedSearch = func(_ context.Context, _ *Request, in *SearchInput) (*Answer, error) {
		note("search " + in.Query)
		return SearchResults(SearchResult{ID: "r1", URL: "https://example.com/r1", Title: "R1", Description: "one"}), nil
	}
	h.GetSettings = func(_ context.Context, r *Request) (*Answer, error) {
		note("get settings " + string(r.CurrentSettings[0].Settings))
		return Succeeded(r.CurrentSettings[0].Settings), nil
	}
	h.UpdateSettings = func(_ context.Context, _ *Request, in *SettingsUpdate) (*Answer, error) {
		note("update settings " + string(in.Settings))
		return Store(in.Settings), nil
	}
	h.Default = func(_ context.Context, r *Request) (*Answer, error) {
		note("default " + r.Type + " " + string(r.Data))
		return Failed(ErrorInvalidRequest, "not supported"), nil
	}

	tests := []struct {
		body, want, answer string
	}{
		{`{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"ev-1","time":"2026-03-01T11:59:58.123Z","name":"post.published","actor":{"id":"mem-alice"},"target":{"postId":"post-1"},"object":{"id":"post-1"}}}`,
			"event net-acme post.published ev-1 actor=mem-alice post=post-1 t=2026-03-01T11:59:58Z",
			`{"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}`},
		{`{"networkId":"net-acme","type":"APP_INSTALLED","data":{"id":"inst-1","appId":"app-1","permissions":["READ"],"updatedAt":"2026-03-01T11:00:00Z"}}`,
			"installed inst-1 app-1 READ",
			`{"type":"APP_INSTALLED","status":"SUCCEEDED","data":{"toStore":{"greeting":"hi"}}}`},
		{`{"networkId":"net-acme","type":"APP_UNINSTALLED","data":{"id":"inst-1","uninstalledById":"mem-alice","updatedAt":"2026-03-01T11:30:00Z"}}`,
			"uninstalled inst-1 by mem-alice",
			`{"type":"APP_UNINSTALLED","status":"SUCCEEDED","data":{}}`},
		{`{"networkId":"net-acme","type":"INTERACTION","data":{"actorId":"mem-alice","appId":"app-1","interactionId":"int-1","preview":false,"dynamicBlockKey":"settings","shortcutKey":null,"callbackId":"save","inputs":{"name":"x"}}}`,
			`interaction int-1 block=settings callback="save" inputs={"name":"x"}`,
			`{"type":"INTERACTION","status":"SUCCEEDED","data":{"interactions":[{"id":"block","type":"SHOW","slate":{"rootBlock":"b"}},{"id":"t","type":"OPEN_TOAST","props":{"status":"success","title":"Saved"}}]}}`},
		{`{"networkId":"net-acme","type":"SHORTCUTS_STATES","data":{"member":{"id":"mem-alice"},"role":{"id":"r1"},"entities":[{"context":"POST","entity":{"id":"post-1"},"shortcuts":["favorite"]}]}}`,
			"shortcuts mem-alice POST post-1 [favorite]",
			`{"type":"SHORTCUTS_STATES","status":"SUCCEEDED","data":[{"context":"POST","entityId":"post-1","shortcutStates":[{"shortcut":"favorite","state":"unmarked"}]}]}`},
		{`{"networkId":"net-acme","type":"FEDERATED_SEARCH","data":{"query":"welcome"}}`,
			"search welcome",
			`{"type":"FEDERATED_SEARCH","status":"SUCCEEDED","data":[{"id":"r1","url":"https://example.com/r1","title":"R1","description":"one"}]}`},
		{`{"networkId":"net-acme","type":"GET_SETTINGS","currentSettings":[{"context":"NETWORK","settings":{"a":1}}]}`,
			`get settings {"a":1}`,
			`{"type":"GET_SETTINGS","status":"SUCCEEDED","data":{"a":1}}`},
		{`{"networkId":"net-acme","type":"UPDATE_SETTINGS","data":{"settings":{"a":2}}}`,
			`update settings {"a":2}`,
			`{"type":"UPDATE_SETTINGS","status":"SUCCEEDED","data":{"toStore":{"a":2}}}`},
		{`{"networkId":"net-acme","type":"SOMETHING_NEW","data":{"whatever":[1,2]},"newTopLevel":true}`,
			`default SOMETHING_NEW {"whatever":[1,2]}`,
			`{"type":"SOMETHING_NEW","status":"FAILED","errorCode":118,"errorMessage":"not supported"}`},
	}
	for _, tc := range tests {
		got = nil
		code, body := serve(h, delivery(t, tc.body))
		assert.Equal(t, http.StatusOK, code, tc.body)
		assert.Equal(t, []string{tc.want}, got)
		assert.JSONEq(t, tc.answer, body)
	}
	assert.Empty(t, logs.lines())
}

func TestHandlerKeepsUnknownFields(t *testing.T) {
	h, _ := newHandler(t)
	body := `{"networkId":"net-acme","type":"SUBSCRIPTION","futureField":{"x":1},"entities":{"actor":{"id":"mem-alice","name":"Alice","extra":42}},` +
		`"data":{"id":"ev-1","name":"post.published","newField":"kept","actor":{"id":"mem-alice","sessionInfo":[null]}}}`
	var req *Request
	var ev *Event
	h.Event = func(_ context.Context, r *Request, e *Event) (*Answer, error) { req, ev = r, e; return nil, nil }
	code, _ := serve(h, delivery(t, body))
	require.Equal(t, http.StatusOK, code)
	require.NotNil(t, ev)
	assert.JSONEq(t, body, string(req.Raw))
	assert.Contains(t, string(ev.Raw), `"newField":"kept"`)
	assert.Equal(t, "Alice", req.Entities.Actor.Name)
	assert.Contains(t, string(req.Entities.Actor.Raw), `"extra":42`)
	assert.True(t, req.Sent.Equal(testNow))
}

func TestHandlerWithoutFunctionsAnswersSucceeded(t *testing.T) {
	h, _ := newHandler(t)
	for _, typ := range Types()[1:] {
		body, err := Sample{Type: typ, Event: map[bool]string{true: "post.published"}[typ == TypeSubscription]}.Body()
		require.NoError(t, err)
		code, answer := serve(h, delivery(t, string(body)))
		assert.Equal(t, http.StatusOK, code, typ)
		assert.JSONEq(t, `{"type":"`+typ+`","status":"SUCCEEDED","data":{}}`, answer, typ)
	}
}

func TestHandlerDedupe(t *testing.T) {
	event := func(id string) string {
		return `{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"` + id + `","name":"member.created"}}`
	}
	install := func(typ, updated string) string {
		return `{"networkId":"net-acme","type":"` + typ + `","data":{"id":"inst-1","appId":"app-1","updatedAt":"` + updated + `"}}`
	}
	t.Run("a duplicate event id is dropped, answered 200", func(t *testing.T) {
		h, logs := newHandler(t)
		h.Dedupe = NewMemoryDedupe(0)
		var calls int
		h.Event = func(context.Context, *Request, *Event) (*Answer, error) { calls++; return nil, nil }
		for range 3 {
			code, body := serve(h, delivery(t, event("ev-1")))
			assert.Equal(t, http.StatusOK, code)
			assert.JSONEq(t, `{"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}`, body)
		}
		serve(h, delivery(t, event("ev-2")))
		assert.Equal(t, 2, calls)
		lines := logs.lines()
		require.Len(t, lines, 2)
		assert.Contains(t, lines[0], "duplicate delivery dropped")
		assert.Contains(t, lines[0], "key=SUBSCRIPTION:ev-1")
	})
	t.Run("an uninstall after an install of the same installation is processed", func(t *testing.T) {
		h, _ := newHandler(t)
		h.Dedupe = NewMemoryDedupe(0)
		var got []string
		h.Installed = func(_ context.Context, _ *Request, in *Installation) (*Answer, error) {
			got = append(got, "installed "+in.ID)
			return nil, nil
		}
		h.Uninstalled = func(_ context.Context, _ *Request, in *Installation) (*Answer, error) {
			got = append(got, "uninstalled "+in.ID)
			return nil, nil
		}
		serve(h, delivery(t, install(TypeAppInstalled, "2026-03-01T10:00:00Z")))
		serve(h, delivery(t, install(TypeAppInstalled, "2026-03-01T10:00:00Z"))) // a retry
		serve(h, delivery(t, install(TypeAppUninstalled, "2026-03-01T11:00:00Z")))
		serve(h, delivery(t, install(TypeAppUninstalled, "2026-03-01T11:00:00Z"))) // a retry
		serve(h, delivery(t, install(TypeAppInstalled, "2026-03-01T11:30:00Z")))   // installed again
		assert.Equal(t, []string{"installed inst-1", "uninstalled inst-1", "installed inst-1"}, got)
	})
	t.Run("requests without an event id are never dropped", func(t *testing.T) {
		h, _ := newHandler(t)
		h.Dedupe = NewMemoryDedupe(0)
		calls := 0
		h.Interaction = func(context.Context, *Request, *InteractionInput) (*Answer, error) { calls++; return nil, nil }
		h.Default = func(context.Context, *Request) (*Answer, error) { calls++; return nil, nil }
		for range 2 {
			serve(h, delivery(t, `{"type":"INTERACTION","data":{"interactionId":"int-1"}}`))
			serve(h, delivery(t, `{"type":"FEDERATED_SEARCH","data":{"query":"q"}}`))
			serve(h, delivery(t, `{"type":"SUBSCRIPTION","data":{"name":"post.published"}}`)) // no id
		}
		assert.Equal(t, 6, calls)
	})
	t.Run("a failed delivery is processed again when retried", func(t *testing.T) {
		h, logs := newHandler(t)
		h.Dedupe = NewMemoryDedupe(0)
		var calls int
		h.Event = func(context.Context, *Request, *Event) (*Answer, error) {
			calls++
			switch calls {
			case 1:
				return nil, errors.New("database down: password=hunter2")
			case 2:
				return Failed(ErrorServiceUnavailable, "try later"), nil
			}
			return nil, nil
		}
		code, body := serve(h, delivery(t, event("ev-1")))
		assert.Equal(t, http.StatusInternalServerError, code)
		assert.JSONEq(t, `{"type":"SUBSCRIPTION","status":"FAILED","errorCode":10,"errorMessage":"the app could not process the request"}`, body)
		assert.NotContains(t, body, "hunter2", "the app's error is not sent to Tribe")
		code, body = serve(h, delivery(t, event("ev-1")))
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, body, `"FAILED"`)
		code, _ = serve(h, delivery(t, event("ev-1")))
		assert.Equal(t, http.StatusOK, code)
		serve(h, delivery(t, event("ev-1")))
		assert.Equal(t, 3, calls, "processed until it succeeded, then dropped")
		assert.Contains(t, strings.Join(logs.lines(), "\n"), "the app failed to process a request")
	})
	t.Run("a failing dedupe lets the delivery through", func(t *testing.T) {
		h, logs := newHandler(t)
		h.Dedupe = failingDedupe{}
		calls := 0
		h.Event = func(context.Context, *Request, *Event) (*Answer, error) { calls++; return nil, nil }
		serve(h, delivery(t, event("ev-1")))
		serve(h, delivery(t, event("ev-1")))
		assert.Equal(t, 2, calls)
		assert.Contains(t, strings.Join(logs.lines(), "\n"), "dedupe failed")
	})
	t.Run("a panicking function releases the key", func(t *testing.T) {
		h, _ := newHandler(t)
		d := NewMemoryDedupe(0)
		h.Dedupe = d
		h.Event = func(context.Context, *Request, *Event) (*Answer, error) { panic("boom") }
		assert.Panics(t, func() { serve(h, delivery(t, event("ev-1"))) })
		assert.Equal(t, 0, d.Len())
	})
}

type failingDedupe struct{}

func (failingDedupe) Claim(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("redis: connection refused")
}
func (failingDedupe) Release(context.Context, string) error {
	return errors.New("redis: connection refused")
}

func TestHandlerAnswerShapes(t *testing.T) {
	h, logs := newHandler(t)
	answers := map[string]*Answer{
		"ev-nil":       nil,
		"ev-bare":      {},
		"ev-typed":     {Type: "OTHER", Status: StatusSucceeded, Data: []int{1}},
		"ev-unmarshal": Succeeded(func() {}),
	}
	h.Event = func(_ context.Context, _ *Request, e *Event) (*Answer, error) { return answers[e.ID], nil }
	tests := []struct{ id, want string }{
		{"ev-nil", `{"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}`},
		{"ev-bare", `{"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}`},
		{"ev-typed", `{"type":"OTHER","status":"SUCCEEDED","data":[1]}`},
		{"ev-unmarshal", `{"type":"SUBSCRIPTION","status":"FAILED","errorCode":10,"errorMessage":"the app's answer could not be encoded"}`},
	}
	for _, tc := range tests {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, delivery(t, `{"type":"SUBSCRIPTION","data":{"id":"`+tc.id+`"}}`))
		assert.JSONEq(t, tc.want, w.Body.String(), tc.id)
		assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	}
	assert.Len(t, logs.lines(), 1, "the answer that does not marshal is logged")
}

func TestHandlerWithoutVerifier(t *testing.T) {
	logs := &logBuffer{}
	h := &Handler{Logger: slog.New(slog.NewTextHandler(logs, nil))}
	code, _ := serve(h, delivery(t, `{"type":"TEST","data":{"challenge":"c"}}`))
	assert.Equal(t, http.StatusInternalServerError, code)
	assert.Contains(t, strings.Join(logs.lines(), ""), "Handler.Verifier is nil")
}

// TestHandlerBoundsASlowBody: a peer that sends its headers and then
// trickles or stalls is cut off after ReadTimeout, on a real server.
func TestHandlerBoundsASlowBody(t *testing.T) {
	h, logs := newHandler(t)
	h.ReadTimeout = 200 * time.Millisecond
	var calls atomic.Int32
	h.Default = func(context.Context, *Request) (*Answer, error) { calls.Add(1); return nil, nil }
	srv := httptest.NewServer(h)
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	start := time.Now()
	_, err = fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n%s: %s\r\n%s: %s\r\n\r\n{\"type\"",
		HeaderSignature, strings.Repeat("0", 64), HeaderTimestamp, Timestamp(testNow))
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	reply, _ := io.ReadAll(c)
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Contains(t, string(reply), "400 Bad Request")
	assert.Zero(t, calls.Load())
	assert.Contains(t, strings.Join(logs.lines(), ""), "reading the body")
}

// TestHandlerOnARealServer: concurrent deliveries over HTTP, with the
// function answering after the body was read, past the read timeout.
func TestHandlerOnARealServer(t *testing.T) {
	h, _ := newHandler(t)
	h.ReadTimeout = 100 * time.Millisecond
	h.Dedupe = NewMemoryDedupe(0)
	var calls atomic.Int32
	h.Event = func(ctx context.Context, _ *Request, _ *Event) (*Answer, error) {
		calls.Add(1)
		select {
		case <-time.After(300 * time.Millisecond): // longer than the read timeout
		case <-ctx.Done():
			t.Errorf("the request's context ended while the app worked: %v", ctx.Err())
		}
		return nil, nil
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"type":"SUBSCRIPTION","data":{"id":"ev-%d"}}`, i%4)
			r, err := NewRequest(context.Background(), srv.URL+"/webhook", testSecret, testNow, []byte(body))
			if err != nil {
				t.Errorf("NewRequest: %v", err)
				return
			}
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Errorf("POST: %v", err)
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(4), calls.Load(), "each of the 4 events once")
}
