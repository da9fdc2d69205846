//go:build race

package webhook

// raceEnabled: the race detector is on, and sync.Pool drops some of what it
// is given, so counting allocations means nothing.
const raceEnabled = true
