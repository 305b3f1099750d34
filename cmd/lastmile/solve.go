package main

import (
	"context"
	"io"
)

// runSolve is provided by its own file; this placeholder keeps the build green.
func runSolve(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return usagef("solve: not available yet")
}
