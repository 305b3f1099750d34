package vrp

import (
	"context"
	"errors"
)

// Solve solves p and returns the best solution found before ctx is done or
// the iteration bound is reached.
func Solve(ctx context.Context, p *Problem, opt Options) (*Solution, error) {
	return nil, errors.New("vrp: solver not built yet")
}
