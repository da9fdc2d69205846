//go:build !race

package webhook

// raceEnabled: the race detector is off.
const raceEnabled = false
