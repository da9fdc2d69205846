package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Limits of a [Handler].
const (
	// DefaultMaxBodyBytes bounds a request's body: Tribe's requests are a
	// few kilobytes; a SHORTCUTS_STATES request listing many posts, tens.
	DefaultMaxBodyBytes = 1 << 20
	// DefaultReadTimeout bounds the time to read a request's body, where
	// the server allows setting it (see [http.ResponseController]).
	DefaultReadTimeout = 10 * time.Second
)

// Handler receives Tribe's requests at an app's webhookUrl and
// interactionUrl: an [http.Handler] any router can mount. It reads the raw
// body (bounded), verifies it with Verifier, answers TEST itself, drops an
// event already processed (with Dedupe), decodes the request and hands its
// typed data to the function of its type, whose [Answer] it sends. See the
// package documentation for what it refuses and how.
//
// Only Verifier is required. A request whose type has no function of its
// own goes to Default; without Default it is answered SUCCEEDED with empty
// data, as are types this package does not know. A nil *Answer from a
// function is [Succeeded](nil). An error from a function is logged and
// answered HTTP 500 with a FAILED answer (code [ErrorServer]) that does not
// repeat it; the delivery's dedupe key is then released, as it is for an
// answer the function made FAILED, so that Tribe's retry is processed.
//
// Functions run on the request's goroutine with its context; they may run
// concurrently. Set the fields before serving and do not change them after.
type Handler struct {
	// Verifier checks each request's signature and time.
	Verifier *Verifier
	// Dedupe, if set, makes each event processed once (see [Dedupe]).
	// When it fails, the event is processed and the failure logged.
	Dedupe Dedupe
	// DedupeTTL is how long a delivery is remembered (0:
	// [DefaultDedupeTTL]).
	DedupeTTL time.Duration
	// MaxBodyBytes bounds a body (0: [DefaultMaxBodyBytes]); a larger one
	// is refused with 413.
	MaxBodyBytes int64
	// ReadTimeout bounds reading the body (0: [DefaultReadTimeout]).
	ReadTimeout time.Duration
	// Logger, if set, gets one line per refused request, duplicate,
	// failed function or dedupe failure. No line holds a secret or the
	// body.
	Logger *slog.Logger
	// Now is the clock requests are checked at (nil: time.Now).
	Now func() time.Time

	// Test, if set, is told of each TEST request, which the handler
	// answers itself by echoing its challenge.
	Test func(ctx context.Context, r *Request, challenge string)
	// Event processes a SUBSCRIPTION request: an event in the community.
	Event func(ctx context.Context, r *Request, e *Event) (*Answer, error)
	// Installed and Uninstalled process APP_INSTALLED and
	// APP_UNINSTALLED.
	Installed   func(ctx context.Context, r *Request, in *Installation) (*Answer, error)
	Uninstalled func(ctx context.Context, r *Request, in *Installation) (*Answer, error)
	// Interaction answers an INTERACTION request, typically with
	// [Interactions].
	Interaction func(ctx context.Context, r *Request, in *InteractionInput) (*Answer, error)
	// ShortcutsStates answers a SHORTCUTS_STATES request with
	// [ShortcutStates].
	ShortcutsStates func(ctx context.Context, r *Request, in *ShortcutsStatesInput) (*Answer, error)
	// FederatedSearch answers a FEDERATED_SEARCH request with
	// [SearchResults].
	FederatedSearch func(ctx context.Context, r *Request, in *SearchInput) (*Answer, error)
	// GetSettings and UpdateSettings answer the legacy settings requests;
	// r.CurrentSettings holds what Tribe stored.
	GetSettings    func(ctx context.Context, r *Request) (*Answer, error)
	UpdateSettings func(ctx context.Context, r *Request, in *SettingsUpdate) (*Answer, error)
	// Default gets every other request, such as one of a type this
	// package does not know; it decodes r.Data itself.
	Default func(ctx context.Context, r *Request) (*Answer, error)
}

// ServeHTTP implements [http.Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if h.Verifier == nil {
		h.log(ctx, slog.LevelError, "webhook: Handler.Verifier is nil; set it with NewVerifier and the app's signing secret")
		http.Error(w, "webhook receiver not configured", http.StatusInternalServerError)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, fmt.Errorf("webhook: method %s; Tribe POSTs its requests", safeMethod(r.Method)))
		return
	}
	body, status, err := h.readBody(w, r)
	if err != nil {
		h.refuse(w, r, status, err)
		return
	}
	sent, err := h.Verifier.Verify(r.Header, body, h.now())
	if err != nil {
		h.refuse(w, r, http.StatusForbidden, err)
		return
	}
	req, err := DecodeRequest(body)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, err)
		return
	}
	req.Sent = sent
	if req.Type == TypeTest {
		challenge, err := req.Challenge()
		if err != nil {
			h.refuse(w, r, http.StatusBadRequest, err)
			return
		}
		if h.Test != nil {
			h.Test(ctx, req, challenge)
		}
		h.answer(w, r, req, http.StatusOK, &Answer{Status: StatusSucceeded, Data: challengeData{Challenge: challenge}})
		return
	}
	call, key, err := h.dispatch(req)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, err)
		return
	}
	if key != "" && h.Dedupe != nil {
		first, err := h.Dedupe.Claim(ctx, key, h.dedupeTTL())
		switch {
		case err != nil:
			h.log(ctx, slog.LevelWarn, "webhook: dedupe failed; processing the delivery, which may be a duplicate",
				slog.String("type", req.Type), slog.String("error", err.Error()))
			key = ""
		case !first:
			h.log(ctx, slog.LevelInfo, "webhook: duplicate delivery dropped", slog.String("type", req.Type), slog.String("key", key))
			h.answer(w, r, req, http.StatusOK, Succeeded(nil))
			return
		}
	}
	ans, err := h.call(ctx, call, key)
	if err != nil {
		h.log(ctx, slog.LevelError, "webhook: the app failed to process a request", slog.String("type", req.Type), slog.String("error", err.Error()))
		h.answer(w, r, req, http.StatusInternalServerError, Failed(ErrorServer, "the app could not process the request"))
		return
	}
	h.answer(w, r, req, http.StatusOK, ans)
}

// challengeData is a TEST answer's data.
type challengeData struct {
	Challenge string `json:"challenge"`
}

// call runs the app's function; a failure releases the delivery's key, so
// that Tribe's retry is processed.
func (h *Handler) call(ctx context.Context, call func(context.Context) (*Answer, error), key string) (ans *Answer, err error) {
	processed := false
	if key != "" {
		defer func() {
			if !processed {
				// Not on ctx, which may be why the function failed.
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				if rerr := h.Dedupe.Release(rctx, key); rerr != nil {
					h.log(ctx, slog.LevelWarn, "webhook: releasing the dedupe key of a failed delivery failed; Tribe's retry of it will be dropped",
						slog.String("key", key), slog.String("error", rerr.Error()))
				}
			}
		}()
	}
	ans, err = call(ctx)
	processed = err == nil && (ans == nil || ans.Status != StatusFailed)
	return ans, err
}

// dispatch decodes the request's data for its type and returns the call of
// the app's function and the delivery's dedupe key ("" for none).
func (h *Handler) dispatch(req *Request) (func(context.Context) (*Answer, error), string, error) {
	none := func(context.Context) (*Answer, error) { return nil, nil }
	switch req.Type {
	case TypeSubscription:
		e, err := req.Event()
		if err != nil {
			return nil, "", err
		}
		key := dedupeKey(req.Type, e, nil)
		if h.Event != nil {
			return func(ctx context.Context) (*Answer, error) { return h.Event(ctx, req, e) }, key, nil
		}
		return h.fallback(req, none), key, nil
	case TypeAppInstalled, TypeAppUninstalled:
		in, err := req.Installation()
		if err != nil {
			return nil, "", err
		}
		key := dedupeKey(req.Type, nil, in)
		fn := h.Installed
		if req.Type == TypeAppUninstalled {
			fn = h.Uninstalled
		}
		if fn != nil {
			return func(ctx context.Context) (*Answer, error) { return fn(ctx, req, in) }, key, nil
		}
		return h.fallback(req, none), key, nil
	case TypeInteraction:
		in, err := req.Interaction()
		if err != nil {
			return nil, "", err
		}
		if h.Interaction != nil {
			return func(ctx context.Context) (*Answer, error) { return h.Interaction(ctx, req, in) }, "", nil
		}
	case TypeShortcutsStates:
		in, err := req.ShortcutsStates()
		if err != nil {
			return nil, "", err
		}
		if h.ShortcutsStates != nil {
			return func(ctx context.Context) (*Answer, error) { return h.ShortcutsStates(ctx, req, in) }, "", nil
		}
	case TypeFederatedSearch:
		in, err := req.Search()
		if err != nil {
			return nil, "", err
		}
		if h.FederatedSearch != nil {
			return func(ctx context.Context) (*Answer, error) { return h.FederatedSearch(ctx, req, in) }, "", nil
		}
	case TypeGetSettings:
		if h.GetSettings != nil {
			return func(ctx context.Context) (*Answer, error) { return h.GetSettings(ctx, req) }, "", nil
		}
	case TypeUpdateSettings:
		in, err := req.SettingsUpdate()
		if err != nil {
			return nil, "", err
		}
		if h.UpdateSettings != nil {
			return func(ctx context.Context) (*Answer, error) { return h.UpdateSettings(ctx, req, in) }, "", nil
		}
	}
	return h.fallback(req, none), "", nil
}

// fallback is Default's call, or otherwise.
func (h *Handler) fallback(req *Request, otherwise func(context.Context) (*Answer, error)) func(context.Context) (*Answer, error) {
	if h.Default != nil {
		return func(ctx context.Context) (*Answer, error) { return h.Default(ctx, req) }
	}
	return otherwise
}

// readBody reads the raw body, bounded in size and in time.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	limit := h.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("webhook: the body is %d bytes, over the %d bytes allowed (Handler.MaxBodyBytes)", r.ContentLength, limit)
	}
	timeout := h.ReadTimeout
	if timeout <= 0 {
		timeout = DefaultReadTimeout
	}
	rc := http.NewResponseController(w)
	deadline := rc.SetReadDeadline(time.Now().Add(timeout)) == nil
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	// On a failure the deadline stays: the server then gives up on the
	// rest of the body at once instead of reading it after the answer.
	_, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("webhook: reading the body: %w", err)
	}
	if int64(buf.Len()) > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("webhook: the body is over the %d bytes allowed (Handler.MaxBodyBytes)", limit)
	}
	if deadline {
		// Cleared once read: a deadline left behind would end the
		// connection, and the request's context, while the app works.
		_ = rc.SetReadDeadline(time.Time{})
	}
	return buf.Bytes(), 0, nil
}

// refuse answers a request the app never sees, with one log line.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, err error) {
	h.log(r.Context(), slog.LevelWarn, "webhook: request refused", slog.Int("status", status), slog.String("reason", err.Error()),
		slog.String("remote", r.RemoteAddr))
	http.Error(w, err.Error(), status)
}

// answer sends ans for req with HTTP status.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, req *Request, status int, ans *Answer) {
	if ans == nil {
		ans = Succeeded(nil)
	}
	a := *ans
	if a.Type == "" {
		a.Type = req.Type
	}
	if a.Status == "" {
		a.Status = StatusSucceeded
	}
	if a.Status == StatusSucceeded && a.Data == nil {
		a.Data = struct{}{}
	}
	b, err := json.Marshal(a)
	if err != nil {
		h.log(r.Context(), slog.LevelError, "webhook: the app's answer does not marshal to JSON", slog.String("type", req.Type), slog.String("error", err.Error()))
		status = http.StatusInternalServerError
		b, _ = json.Marshal(Answer{Type: req.Type, Status: StatusFailed, ErrorCode: ErrorServer, ErrorMessage: "the app's answer could not be encoded"})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (h *Handler) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if h.Logger != nil {
		h.Logger.LogAttrs(ctx, level, msg, attrs...)
	}
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) dedupeTTL() time.Duration {
	if h.DedupeTTL > 0 {
		return h.DedupeTTL
	}
	return DefaultDedupeTTL
}

// safeMethod is a request's method for a message: a known one, or a
// placeholder, as the method is the peer's text.
func safeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "(another)"
}
