package delivery

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/tribekit/tribekit/tribe/webhook"
)

// try makes one attempt of e, signed now, and records it; it reports
// whether the app answered 2xx. dup marks the fault's resend.
func (d *Dispatcher) try(e *entry, dup bool) bool {
	ctx, cancel := context.WithTimeout(d.ctx, d.o.Timeout)
	defer cancel()
	a, _ := d.post(ctx, e.job, d.o.AnswerLimit)
	a.Duplicate = dup
	d.mu.Lock()
	e.d.Attempts = append(e.d.Attempts, a)
	d.mu.Unlock()
	return a.Error == "" && a.Status >= 200 && a.Status < 300
}

// post posts j's body, signed now, and reads at most limit bytes of the
// answer. The attempt says what happened; the body is the answer read.
func (d *Dispatcher) post(ctx context.Context, j Job, limit int) (a Attempt, body []byte) {
	started := time.Now()
	a.Started = d.o.Now()
	defer func() { a.Duration = time.Since(started) }()
	if err := checkURL(j.URL); err != nil {
		a.Error = err.Error()
		return a, nil
	}
	req, err := webhook.NewRequest(ctx, j.URL, j.Secret, d.o.Now(), j.Body)
	if err != nil {
		a.Error = err.Error()
		return a, nil
	}
	req.Header.Set("User-Agent", "tribetest (a mock of Tribe)")
	resp, err := d.client.Do(req)
	if err != nil {
		a.Error = describe(ctx, err, d.o.Timeout)
		return a, nil
	}
	defer resp.Body.Close()
	a.Status = resp.StatusCode
	body, err = io.ReadAll(io.LimitReader(resp.Body, int64(limit)))
	if err != nil {
		a.Error = "reading the answer: " + describe(ctx, err, d.o.Timeout)
	}
	a.Answer = string(body[:min(len(body), d.o.AnswerLimit)])
	return a, body
}

// describe says why an attempt got no answer, without the URL (which
// may hold credentials).
func describe(ctx context.Context, err error, timeout time.Duration) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return "timeout: no answer within " + timeout.String()
	case ctx.Err() != nil:
		return "canceled: the server closed"
	}
	// The transport's own timeouts (the dial, the answer's header) are the
	// same timeout, whichever fires first.
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout: no answer within " + timeout.String()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// Result is an app's answer to a synchronous call.
type Result struct {
	Status int
	Body   []byte
}

// DefaultCallLimit bounds the answer [Dispatcher.Call] reads: an
// interaction's slate may be large.
const DefaultCallLimit = 1 << 20

// Call posts j now and waits for the app's answer, reading at most
// limit bytes of it (0: DefaultCallLimit): for TEST and INTERACTION
// requests, which Tribe makes while a member waits. It is one attempt,
// bounded by the dispatcher's timeout, and is kept in the record. An
// error says why there was no answer (a timeout, a refused connection,
// a closed dispatcher); an answer other than 2xx is a Result, for the
// caller to judge.
func (d *Dispatcher) Call(ctx context.Context, j Job, limit int) (Result, error) {
	if limit <= 0 {
		limit = DefaultCallLimit
	}
	d.mu.Lock()
	e := d.newEntry(j)
	closed := d.closed
	if !closed {
		d.addPending()
	}
	d.mu.Unlock()
	if closed {
		d.mu.Lock()
		e.d.State, e.d.Error, e.d.Settled = Canceled, "the server is closed", d.o.Now()
		d.mu.Unlock()
		return Result{}, errors.New("delivery: the server is closed")
	}
	ctx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	defer cancel()
	stop := context.AfterFunc(d.ctx, cancel)
	defer stop()
	a, body := d.post(ctx, j, limit)
	d.mu.Lock()
	e.d.Attempts = append(e.d.Attempts, a)
	d.mu.Unlock()
	if a.Error != "" || a.Status < 200 || a.Status > 299 {
		d.settle(e, Failed, "")
	} else {
		d.settle(e, Delivered, "")
	}
	if a.Error != "" && a.Status == 0 {
		return Result{}, errors.New("delivery: no answer from the app: " + a.Error)
	}
	return Result{Status: a.Status, Body: body}, nil
}
