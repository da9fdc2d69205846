package webhook

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// FuzzVerify: any signature, timestamp and body are verified or refused
// without panicking; what verifies is exactly what Sign makes.
func FuzzVerify(f *testing.F) {
	f.Add(vectorSignature, vectorTimestamp, []byte(vectorBody))
	f.Add(strings.ToUpper(vectorSignature), vectorTimestamp, []byte(vectorBody))
	f.Add(vectorSignature, "1767225600", []byte(vectorBody))
	f.Add(vectorSignature[:63], vectorTimestamp, []byte{})
	f.Add("zz"+vectorSignature[2:], "17672256000001", []byte("{}"))
	f.Add("", "", []byte(nil))
	f.Add(vectorSignature, "-767225600000", []byte(vectorBody))
	v, err := NewVerifier(0, vectorSecret, "whsec-old-secret-0")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		for _, at := range []time.Time{{}, vectorTime} {
			h := http.Header{HeaderSignature: {sig}, HeaderTimestamp: {ts}}
			sent, err := v.Verify(h, body, at)
			if err != nil {
				if !errors.Is(err, ErrUnverified) || !strings.HasPrefix(err.Error(), "webhook: ") {
					t.Fatalf("error %q does not match ErrUnverified or lacks the package prefix", err)
				}
				if strings.Contains(err.Error(), vectorSecret) {
					t.Fatalf("error holds the secret: %v", err)
				}
				continue
			}
			if !strings.EqualFold(sig, SignTimestamp(vectorSecret, ts, body)) && !strings.EqualFold(sig, SignTimestamp("whsec-old-secret-0", ts, body)) {
				t.Fatalf("verified a signature Sign does not make: %q %q", sig, ts)
			}
			if want, err := ParseTimestamp(ts); err != nil || !want.Equal(sent) {
				t.Fatalf("verified timestamp %q as %s (%v)", ts, sent, err)
			}
		}
	})
}

// FuzzDecodeRequest: any body decodes to a request with a type, or is
// refused as malformed, without panicking; its typed data decodes or is
// refused the same way; and a handler given it, signed, answers 200 or 400,
// never a server error, with a JSON answer of the same type when 200.
func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		vectorBody,
		`{"type":"SUBSCRIPTION","data":{"id":"ev-1","time":"2021-12-20T03:32:18.757Z","name":"post.published","actor":{"id":"m"},"target":{"postId":"p"},"object":{}}}`,
		`{"type":"APP_UNINSTALLED","data":{"id":"i1","updatedAt":1767225600000,"permissions":["A"]}}`,
		`{"type":"INTERACTION","data":{"interactionId":"i","callbackId":null,"inputs":{"a":[1,2]}}}`,
		`{"type":"SHORTCUTS_STATES","data":{"entities":[{"context":"POST","entity":{"id":"p"},"shortcuts":["f"]}]}}`,
		`{"type":"FEDERATED_SEARCH","data":{"query":"q"}}`,
		`{"type":"UPDATE_SETTINGS","data":{"settings":null},"currentSettings":[{"settings":{}}]}`,
		`{"type":"NEW_THING","data":[1],"entities":{"actor":{"id":"m","x":1}}}`,
		`{"type":"TEST","data":{"challenge":""}}`,
		`{"type":"SUBSCRIPTION","data":{"time":{"$date":1}}}`,
		`[]`, `null`, `{"type":1}`, `{"type":"A","type":"B"}`, "{\"type\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	v, err := NewVerifier(0, vectorSecret)
	if err != nil {
		f.Fatal(err)
	}
	h := &Handler{Verifier: v, Dedupe: NewMemoryDedupe(100), Now: func() time.Time { return vectorTime }}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := DecodeRequest(body)
		if err != nil {
			if r != nil || !errors.Is(err, ErrMalformedRequest) || !strings.HasPrefix(err.Error(), "webhook: ") {
				t.Fatalf("bad refusal: %v (%v)", err, r)
			}
		} else {
			if checkType(r.Type) != nil {
				t.Fatalf("decoded a request of type %q", r.Type)
			}
			for _, decode := range []func() error{
				func() error { _, err := r.Event(); return err },
				func() error { _, err := r.Installation(); return err },
				func() error { _, err := r.Interaction(); return err },
				func() error { _, err := r.ShortcutsStates(); return err },
				func() error { _, err := r.Search(); return err },
				func() error { _, err := r.SettingsUpdate(); return err },
				func() error { _, err := r.Challenge(); return err },
			} {
				if err := decode(); err != nil && !errors.Is(err, ErrMalformedRequest) {
					t.Fatalf("typed data refused with %v, not ErrMalformedRequest", err)
				}
			}
		}
		req, err := NewRequest(context.Background(), "http://127.0.0.1/webhook", vectorSecret, vectorTime, body)
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK:
			if r == nil {
				t.Fatalf("answered 200 to a body DecodeRequest refuses")
			}
			if !strings.Contains(w.Body.String(), `"status":"SUCCEEDED"`) {
				t.Fatalf("answer %s", w.Body)
			}
		case http.StatusBadRequest:
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}
