package main

import (
	"context"
	"io"
)

// runCheck is provided by its own file; this placeholder keeps the build green.
func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return usagef("check: not available yet")
}
