// Package bench is the benchmark harness of the route optimizer.
//
// It reads the classic instance formats (Solomon and Gehring-Homberger
// VRPTW, Li & Lim PDPTW, CVRPLIB "X" CVRP) and their best-known-solution
// tables, converts instances to vrp.Problem with integer-scaled matrices,
// re-evaluates solutions exactly from the original coordinates, runs a solver
// over a set of instances and reports gaps to the best known solutions. It
// also generates realistic "station day" instances for a parcel delivery
// station.
//
// Scaling conventions (see docs/BENCHMARKS.md):
//
//   - VRPTW and PDPTW: distances are Euclidean and unrounded. Inside the
//     solver, durations[i][j] = ceil(1000·d(i,j)) and distances[i][j] =
//     round(1000·d(i,j)); time windows and service times are multiplied by
//     1000 (start rounded up, end rounded down). A route that is feasible with
//     the integer durations is therefore feasible in exact arithmetic.
//   - CVRP: distances and durations are TSPLIB nint(d(i,j)), as in the BKS.
//   - Cost: vehicles use Costs{PerHour: 0, PerKm: 1000}, so that the cost of a
//     route equals its distance in matrix units.
//
// Evaluate recomputes distances in float64 from the coordinates (nint-rounded
// edges for CVRP) and re-checks every constraint: the reported figures never
// come from the scaled matrices.
package bench
