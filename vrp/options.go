package vrp

import (
	"fmt"
)

// Objective selects what Solve minimises once as many tasks as possible are
// assigned.
type Objective int

const (
	// MinimizeCost minimises the total cost (VROOM's objective).
	MinimizeCost Objective = iota
	// MinimizeVehiclesThenCost uses as few vehicles as possible first, then
	// minimises cost (the classic objective of the VRPTW literature).
	MinimizeVehiclesThenCost
)

// Options tune Solve. The time budget is the context's deadline.
type Options struct {
	Seed      int64
	Threads   int // 0 or less: 1
	Objective Objective
	// MaxIterations bounds the search (summed over threads); 0 means until the
	// context is done. With a bound and no deadline, the result is a function
	// of (problem, Seed, Threads) only.
	MaxIterations int64
	// Start, when set, is a previous solution to start from (re-planning):
	// its routes are rebuilt first, in their order, wherever they still fit,
	// and everything else is inserted after. Matched by vehicle and task id.
	Start *Solution
	// Progress, when set, is called from the solving goroutine once for the
	// first solution (Iteration 0) and then each time the best improves.
	Progress func(ProgressEvent)
}

// ProgressEvent reports an improvement during the search.
type ProgressEvent struct {
	Iteration  int64
	Unassigned int
	Vehicles   int
	Cost       int64
}

// InputError reports invalid input at a field path such as
// "jobs[3].time_windows[0]".
type InputError struct {
	Field string
	Msg   string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// inputErrorf builds an *InputError.
func inputErrorf(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Msg: fmt.Sprintf(format, args...)}
}
