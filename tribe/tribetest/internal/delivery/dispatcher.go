package delivery

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The defaults of [Options].
const (
	// DefaultTimeout bounds one attempt: connecting, sending and reading
	// the answer.
	DefaultTimeout = 10 * time.Second
	// DefaultAttempts is the most attempts of one delivery, the first
	// included.
	DefaultAttempts = 5
	// DefaultBackoff is the wait before the first retry; each next one
	// doubles, up to DefaultMaxBackoff.
	DefaultBackoff    = time.Second
	DefaultMaxBackoff = 30 * time.Second
	// DefaultQueueLimit bounds the deliveries of one community waiting
	// for their first attempt.
	DefaultQueueLimit = 10_000
	// DefaultRecordLimit bounds the record.
	DefaultRecordLimit = 1000
	// DefaultAnswerLimit bounds the answer an attempt keeps.
	DefaultAnswerLimit = 2048
)

// maxDuplicates bounds the duplicates a fault may force at once.
const maxDuplicates = 1000

// Options configure a [Dispatcher]; zero fields take the defaults.
type Options struct {
	Timeout     time.Duration
	Attempts    int
	Backoff     time.Duration
	MaxBackoff  time.Duration
	QueueLimit  int
	RecordLimit int
	AnswerLimit int
	// Client posts the requests (nil: a client of the dispatcher's own,
	// which uses no proxy and follows no redirect).
	Client *http.Client
	// Now is the clock requests are signed and timed with (nil:
	// time.Now). Tribe signs with the real time, which receivers check.
	Now func() time.Time
	// Report, if set, gets the delivery as it stands after each attempt,
	// and when it is dropped or canceled: for a log. It is called from
	// the delivering goroutine, in no lock, and must not block long.
	Report func(Delivery)
}

// Dispatcher delivers signed requests to apps. It is safe for concurrent
// use.
type Dispatcher struct {
	o      Options
	client *http.Client
	own    *http.Transport // the dispatcher's own, closed by Close

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	seq     uint64
	queues  map[string]*queue
	record  []*entry
	pending int
	idle    chan struct{} // closed while nothing is pending
	dups    int           // deliveries still to duplicate
}

// queue is the deliveries of one community waiting for their first
// attempt, and whether a goroutine sends them.
type queue struct {
	jobs    []*entry
	running bool
}

// New returns a dispatcher; [Dispatcher.Close] stops it.
func New(o Options) *Dispatcher {
	o.Timeout = cmpOr(o.Timeout, DefaultTimeout)
	o.Attempts = cmpOr(o.Attempts, DefaultAttempts)
	o.Backoff = cmpOr(o.Backoff, DefaultBackoff)
	o.MaxBackoff = cmpOr(o.MaxBackoff, DefaultMaxBackoff)
	o.QueueLimit = cmpOr(o.QueueLimit, DefaultQueueLimit)
	o.RecordLimit = cmpOr(o.RecordLimit, DefaultRecordLimit)
	o.AnswerLimit = cmpOr(o.AnswerLimit, DefaultAnswerLimit)
	if o.Now == nil {
		o.Now = time.Now
	}
	d := &Dispatcher{o: o, client: o.Client, queues: map[string]*queue{}, idle: make(chan struct{})}
	close(d.idle)
	if d.client == nil {
		d.own = &http.Transport{
			Proxy:                 nil, // never send an app's events elsewhere
			DialContext:           (&net.Dialer{Timeout: o.Timeout}).DialContext,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: o.Timeout,
			ForceAttemptHTTP2:     true,
		}
		d.client = &http.Client{
			Transport: d.own,
			// Tribe does not follow an app's redirect: a 3xx is an
			// answer other than 2xx.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	return d
}

// cmpOr is v, or def when v is not positive.
func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Send queues j for delivery and returns the id of its delivery at once:
// it never waits for the app. A URL that is not http(s), a full queue, or
// a closed dispatcher settles the delivery without an attempt.
func (d *Dispatcher) Send(j Job) string {
	d.mu.Lock()
	e := d.newEntry(j)
	var why string
	var state State
	switch q := d.queue(j.Community); {
	case d.closed:
		state, why = Canceled, "the server is closed"
	case checkURL(j.URL) != nil:
		state, why = Dropped, checkURL(j.URL).Error()
	case len(q.jobs) >= d.o.QueueLimit:
		state, why = Dropped, fmt.Sprintf("delivery: %d deliveries of community %q wait already, the most the queue holds", d.o.QueueLimit, j.Community)
	default:
		d.addPending()
		if d.dups > 0 {
			d.dups--
			e.dup = true
		}
		q.jobs = append(q.jobs, e)
		if !q.running {
			q.running = true
			d.wg.Add(1)
			go d.work(j.Community, q)
		}
		d.mu.Unlock()
		return e.d.ID
	}
	e.d.State, e.d.Error, e.d.Settled = state, why, d.o.Now()
	snap := e.snapshot()
	d.mu.Unlock()
	d.report(snap)
	return snap.ID
}

// newEntry makes j's entry and records it; mu is held.
func (d *Dispatcher) newEntry(j Job) *entry {
	d.seq++
	e := &entry{job: j, d: Delivery{
		ID: "dlv-" + strconv.FormatUint(d.seq, 10), Community: j.Community, AppID: j.AppID,
		Type: j.Type, Event: j.Event, EventID: j.EventID, URL: redactURL(j.URL),
		State: Pending, Created: d.o.Now(),
	}}
	d.keep(e)
	return e
}

// queue is community's queue, made if need be; mu is held.
func (d *Dispatcher) queue(community string) *queue {
	q := d.queues[community]
	if q == nil {
		q = &queue{}
		d.queues[community] = q
	}
	return q
}

// addPending counts a delivery pending; mu is held.
func (d *Dispatcher) addPending() {
	if d.pending == 0 {
		d.idle = make(chan struct{})
	}
	d.pending++
}

// Duplicate makes each of the next n deliveries sent go out twice: once
// it is delivered, the same request (same event id, signed anew) is sent
// again, as Tribe retries a delivery whose answer it took for a timeout.
func (d *Dispatcher) Duplicate(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.dups = min(max(d.dups+n, 0), maxDuplicates)
}

// work sends the first attempts of community's queue, in order, until it
// is empty.
func (d *Dispatcher) work(community string, q *queue) {
	defer d.wg.Done()
	for {
		d.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			delete(d.queues, community)
			d.mu.Unlock()
			return
		}
		e := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		d.mu.Unlock()
		d.first(e)
	}
}

// first makes e's first attempt, then settles it or hands it to a
// goroutine that retries or duplicates it.
func (d *Dispatcher) first(e *entry) {
	if d.ctx.Err() != nil {
		d.settle(e, Canceled, "the server is closed")
		return
	}
	ok := d.try(e, false)
	switch {
	case ok && e.dup:
		d.reportEntry(e)
		d.wg.Add(1)
		go d.resend(e)
	case ok:
		d.settle(e, Delivered, "")
	case d.o.Attempts > 1:
		d.reportEntry(e)
		d.wg.Add(1)
		go d.retry(e)
	default:
		d.settle(e, Failed, "")
	}
}

// retry tries e again after each backoff until it is delivered, the
// attempts run out or the dispatcher closes.
func (d *Dispatcher) retry(e *entry) {
	defer d.wg.Done()
	for n := 1; ; n++ {
		t := time.NewTimer(d.backoff(n))
		select {
		case <-d.ctx.Done():
			t.Stop()
			d.settle(e, Canceled, "the server closed before a retry")
			return
		case <-t.C:
		}
		ok := d.try(e, false)
		switch {
		case ok && e.dup:
			d.reportEntry(e)
			d.resendNow(e)
			return
		case ok:
			d.settle(e, Delivered, "")
			return
		case n+1 >= d.o.Attempts:
			d.settle(e, Failed, "")
			return
		}
		d.reportEntry(e)
	}
}

// backoff is the wait before retry n (from 1): Backoff doubled n-1
// times, at most MaxBackoff.
func (d *Dispatcher) backoff(n int) time.Duration {
	b := d.o.Backoff
	for i := 1; i < n && b < d.o.MaxBackoff; i++ {
		b *= 2
	}
	return min(b, d.o.MaxBackoff)
}

// resend sends delivered e once more, the fault's duplicate.
func (d *Dispatcher) resend(e *entry) {
	defer d.wg.Done()
	d.resendNow(e)
}

func (d *Dispatcher) resendNow(e *entry) {
	if d.ctx.Err() == nil {
		d.try(e, true)
	}
	d.settle(e, Delivered, "")
}

// settle ends e's delivery in state, and reports it.
func (d *Dispatcher) settle(e *entry, state State, why string) {
	d.mu.Lock()
	e.d.State, e.d.Error, e.d.Settled = state, why, d.o.Now()
	snap := e.snapshot()
	d.pending--
	if d.pending == 0 {
		close(d.idle)
	}
	d.mu.Unlock()
	d.report(snap)
}

// reportEntry reports e as it stands, still pending.
func (d *Dispatcher) reportEntry(e *entry) {
	if d.o.Report == nil {
		return
	}
	d.mu.Lock()
	snap := e.snapshot()
	d.mu.Unlock()
	d.o.Report(snap)
}

func (d *Dispatcher) report(snap Delivery) {
	if d.o.Report != nil {
		d.o.Report(snap)
	}
}

// Wait waits until every delivery sent so far has settled (delivered,
// failed, dropped or canceled), or ctx is done.
func (d *Dispatcher) Wait(ctx context.Context) error {
	d.mu.Lock()
	idle := d.idle
	d.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		d.mu.Lock()
		n := d.pending
		d.mu.Unlock()
		return fmt.Errorf("delivery: %d deliveries still pending: %w", n, ctx.Err())
	}
}

// Close stops every delivery: an attempt in flight is canceled, and what
// waits is settled as canceled. It returns once no goroutine of the
// dispatcher is left. Sends after Close settle at once.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	if d.own != nil {
		d.own.CloseIdleConnections()
	}
}
