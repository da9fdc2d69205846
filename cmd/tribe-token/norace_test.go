//go:build !race

package main

// raceEnabled reports that the tests run with the race detector, so that
// the binary they build reuses the packages already compiled for it.
const raceEnabled = false
