//go:build !race

package client

// benchRace is true when the tests run under the race detector.
const benchRace = false
