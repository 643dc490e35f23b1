//go:build race

package deno_test

// raceEnabled makes the suite build edge with -race too.
const raceEnabled = true
