package main

import (
	"context"
	"io"
)

// runBench is provided by its own file; this placeholder keeps the build green.
func runBench(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return usagef("bench: not available yet")
}
