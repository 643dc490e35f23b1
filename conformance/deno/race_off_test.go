//go:build !race

package deno_test

const raceEnabled = false
