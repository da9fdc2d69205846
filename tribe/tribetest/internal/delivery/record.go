package delivery

import (
	"slices"
	"time"
)

// State is where a delivery stands.
type State string

const (
	// Pending: queued, in flight, or waiting to be retried.
	Pending State = "pending"
	// Delivered: an attempt was answered 2xx.
	Delivered State = "delivered"
	// Failed: every attempt failed.
	Failed State = "failed"
	// Dropped: never attempted, for a bad URL or a full queue.
	Dropped State = "dropped"
	// Canceled: stopped by [Dispatcher.Close].
	Canceled State = "canceled"
)

// Delivery is one request and what became of it.
type Delivery struct {
	ID        string
	Community string
	AppID     string
	Type      string
	Event     string
	EventID   string
	// URL is the app's URL without user info and query.
	URL   string
	State State
	// Error says why a delivery was dropped or canceled.
	Error    string
	Created  time.Time
	Settled  time.Time // zero while pending
	Attempts []Attempt
}

// Attempt is one try of a delivery.
type Attempt struct {
	Started  time.Time
	Duration time.Duration
	// Status is the HTTP status of the answer, 0 when there was none;
	// Error then says why (a timeout, a refused connection).
	Status int
	Error  string
	// Answer is the start of the app's answer, at most
	// Options.AnswerLimit bytes.
	Answer string
	// Duplicate marks a resend a fault forced after a delivery.
	Duplicate bool
}

// entry is a delivery in the dispatcher, guarded by its mu.
type entry struct {
	job Job
	d   Delivery
	dup bool // a fault resends it once delivered
}

// snapshot is a copy of e's delivery, which e's later attempts do not
// change; mu is held.
func (e *entry) snapshot() Delivery {
	d := e.d
	d.Attempts = slices.Clone(d.Attempts)
	return d
}

// Deliveries is the record, oldest first: at most Options.RecordLimit
// deliveries, the latest ones.
func (d *Dispatcher) Deliveries() []Delivery {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Delivery, 0, len(d.record))
	for _, e := range d.record {
		out = append(out, e.snapshot())
	}
	return out
}

// ClearRecord empties the record; deliveries pending go on.
func (d *Dispatcher) ClearRecord() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.record = nil
}

// keep adds e to the record, dropping the oldest beyond the limit; mu is
// held.
func (d *Dispatcher) keep(e *entry) {
	if len(d.record) >= d.o.RecordLimit {
		n := len(d.record) - d.o.RecordLimit + 1
		clear(d.record[:n])
		d.record = d.record[n:]
	}
	d.record = append(d.record, e)
}
