//go:build !race

package api

// raceEnabled reports that the tests run with the race detector, which
// multiplies a process's memory and time.
const raceEnabled = false
