package delivery

import "time"

// Hooks for the black-box tests in package delivery_test.

// Backoff is how long d waits before the nth retry of a delivery.
func (d *Dispatcher) Backoff(n int) time.Duration { return d.backoff(n) }
