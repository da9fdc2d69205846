package webhook_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/tribekit/tribekit/tribe/webhook"
)

// A handler mounted on a server, and Tribe's part played with NewRequest:
// the TEST challenge is answered without the app, and an event delivered
// twice is processed once.
func ExampleHandler() {
	const secret = "whsec-example-secret" // the app's signing secret
	verifier, err := webhook.NewVerifier(0, secret)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", &webhook.Handler{
		Verifier: verifier,
		Dedupe:   webhook.NewMemoryDedupe(0),
		Event: func(ctx context.Context, r *webhook.Request, e *webhook.Event) (*webhook.Answer, error) {
			fmt.Println("processing", e.Name, e.ID, "from", r.NetworkID)
			return nil, nil
		},
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	for _, body := range []string{
		`{"networkId":"net-acme","context":"NETWORK","currentSettings":[],"type":"TEST","data":{"challenge":"c-42"}}`,
		`{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"ev-1","name":"post.published"}}`,
		`{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"ev-1","name":"post.published"}}`,
	} {
		req, err := webhook.NewRequest(context.Background(), srv.URL+"/webhook", secret, time.Now(), []byte(body))
		if err != nil {
			log.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(answer))
	}
	// Output:
	// 200 {"type":"TEST","status":"SUCCEEDED","data":{"challenge":"c-42"}}
	// processing post.published ev-1 from net-acme
	// 200 {"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}
	// 200 {"type":"SUBSCRIPTION","status":"SUCCEEDED","data":{}}
}

// Verifying a request signed on 2026-01-01, a test vector computed
// independently of this package: at the zero time the signature alone is
// checked; now, the request is too old.
func ExampleVerifier_VerifySignature() {
	verifier, err := webhook.NewVerifier(0, "whsec-test-0123456789abcdef")
	if err != nil {
		log.Fatal(err)
	}
	body := []byte(`{"networkId":"net-acme","context":"NETWORK","currentSettings":[],"type":"TEST","data":{"challenge":"c-42"}}`)
	sent, err := verifier.VerifySignature("b593f17273c30bbe1510010c05d8e92582b273a9fb5af67198b0e21998171921", "1767225600000", body, time.Time{})
	fmt.Println(sent.UTC(), err)
	_, err = verifier.VerifySignature("b593f17273c30bbe1510010c05d8e92582b273a9fb5af67198b0e21998171921", "1767225600000", body, time.Now())
	fmt.Println(err != nil)
	// Output:
	// 2026-01-01 00:00:00 +0000 UTC <nil>
	// true
}

// An interaction answered with a modal whose content is a Slate, kept raw.
func ExampleInteractions() {
	answer := webhook.Interactions(
		webhook.OpenModal("settings-modal", webhook.ModalProps{Size: "md", Title: "Settings"},
			[]byte(`{"rootBlock":"root","blocks":[{"id":"root","name":"Text","props":{"value":"Hello"}}]}`)),
	)
	fmt.Println(answer.Status)
	// Output:
	// SUCCEEDED
}
