//go:build race

package bench

// benchRace is true when the tests run under the race detector.
const benchRace = true
