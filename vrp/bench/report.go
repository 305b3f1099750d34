package bench

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Summary aggregates the results of one class (or of all instances).
type Summary struct {
	Class     string
	Instances int
	Feasible  int
	Compared  int // feasible instances with a BKS
	// Totals and mean gap over the Compared instances, so that they are
	// comparable with the BKS totals.
	Vehicles    int
	BKSVehicles int
	Cost        float64
	BKSCost     float64
	MeanGapPct  float64
	Seconds     float64 // total solver time
}

// Summarize aggregates results per class, in order of first appearance,
// followed by the total over all results (class "all").
func Summarize(results []Result) []Summary {
	var order []string
	by := map[string]*Summary{}
	all := &Summary{Class: "all"}
	for _, r := range results {
		s, ok := by[r.Class]
		if !ok {
			s = &Summary{Class: r.Class}
			by[r.Class] = s
			order = append(order, r.Class)
		}
		for _, s := range []*Summary{s, all} {
			s.add(r)
		}
	}
	out := make([]Summary, 0, len(order)+1)
	for _, c := range order {
		out = append(out, by[c].done())
	}
	return append(out, all.done())
}

func (s *Summary) add(r Result) {
	s.Instances++
	s.Seconds += r.Seconds
	if !r.Feasible {
		return
	}
	s.Feasible++
	if r.HasBKS {
		s.Vehicles += r.Vehicles
		s.Cost += r.Cost
		s.BKSVehicles += r.BKSVehicles
		s.BKSCost += r.BKSCost
		s.MeanGapPct += r.GapPct
		s.Compared++
	}
}

func (s *Summary) done() Summary {
	if s.Compared > 0 {
		s.MeanGapPct /= float64(s.Compared)
	}
	return *s
}

// Report writes the results as an aligned table (or CSV when csv is true):
// one row per instance with columns instance, vehicles, cost, bks_vehicles,
// bks_cost, gap_pct, seconds, feasible; then one row per class and one for
// all instances, with the number of feasible instances and, over the
// feasible instances that have a BKS, the totals of vehicles and costs and
// the mean gap. The text form starts with a header naming
// the BKS table and ends with the vehicle total against the BKS total and
// the reason of every infeasible result.
func Report(w io.Writer, results []Result, csvOut bool) error {
	if len(results) == 0 {
		return errNoResults
	}
	if csvOut {
		return reportCSV(w, results)
	}
	return reportText(w, results)
}

func optInt(v int, ok bool) string {
	if !ok || v == 0 {
		return "-"
	}
	return strconv.Itoa(v)
}

func optFloat(v float64, ok bool, prec int) string {
	if !ok {
		return "-"
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-") // no "-0.00"
	}
	return s
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "NO"
}

// instanceRow formats the per-instance columns.
func instanceRow(r Result) []string {
	solved := r.Feasible || r.Vehicles > 0
	return []string{
		r.Instance,
		optInt(r.Vehicles, solved),
		optFloat(r.Cost, solved, 2),
		optInt(r.BKSVehicles, r.HasBKS),
		optFloat(r.BKSCost, r.HasBKS, 2),
		optFloat(r.GapPct, r.HasBKS && solved, 2),
		strconv.FormatFloat(r.Seconds, 'f', 2, 64),
	}
}

func summaryRow(s Summary) []string {
	return []string{
		s.Class,
		strconv.Itoa(s.Instances),
		fmt.Sprintf("%d/%d", s.Feasible, s.Instances),
		optInt(s.Vehicles, s.Compared > 0),
		optInt(s.BKSVehicles, s.Compared > 0),
		optFloat(s.Cost, s.Compared > 0, 2),
		optFloat(s.BKSCost, s.Compared > 0, 2),
		optFloat(s.MeanGapPct, s.Compared > 0, 2),
		strconv.FormatFloat(s.Seconds, 'f', 2, 64),
	}
}

func reportText(w io.Writer, results []Result) error {
	r0 := results[0]
	note := ""
	if strings.Contains(r0.Table, "dimacs") {
		note = " (DIMACS convention: distances truncated to one decimal, so exact distances sit about 0.4% above it)"
	}
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# set %s, objective %s, best known solutions: %s%s\n", r0.Set, r0.Objective, r0.Table, note)
	fmt.Fprintln(ew, "# cost: exact re-evaluated distance; gap_pct = 100*(cost-bks_cost)/bks_cost;")
	fmt.Fprintln(ew, "# class totals and mean gaps over the feasible instances that have a BKS")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "instance\tvehicles\tcost\tbks_vehicles\tbks_cost\tgap_pct\tseconds\tfeasible\t")
	for _, r := range results {
		fmt.Fprintln(tw, strings.Join(append(instanceRow(r), yesNo(r.Feasible)), "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(ew)
	sums := Summarize(results)
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "class\tinstances\tfeasible\tvehicles\tbks_vehicles\tcost\tbks_cost\tmean_gap_pct\tseconds\t")
	for _, s := range sums {
		fmt.Fprintln(tw, strings.Join(summaryRow(s), "\t")+"\t")
	}
	tw.Flush()
	all := sums[len(sums)-1]
	fmt.Fprintln(ew)
	if all.Compared > 0 && all.BKSVehicles > 0 {
		fmt.Fprintf(ew, "vehicles: %d vs best known %d (%+d) over %d feasible instances with a BKS; mean gap %.2f%%\n",
			all.Vehicles, all.BKSVehicles, all.Vehicles-all.BKSVehicles, all.Compared, all.MeanGapPct)
	} else if all.Compared > 0 {
		fmt.Fprintf(ew, "mean gap %.2f%% over %d feasible instances with a BKS\n", all.MeanGapPct, all.Compared)
	}
	if bad := all.Instances - all.Feasible; bad > 0 {
		fmt.Fprintf(ew, "INFEASIBLE OR FAILED: %d of %d instances\n", bad, all.Instances)
		for _, r := range results {
			if !r.Feasible {
				fmt.Fprintf(ew, "  %s: %s\n", r.Instance, r.Err)
			}
		}
	}
	return ew.err
}

func reportCSV(w io.Writer, results []Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"instance", "vehicles", "cost", "bks_vehicles", "bks_cost", "gap_pct", "seconds", "feasible", "error"})
	for _, r := range results {
		row := instanceRow(r)
		for i, v := range row {
			if v == "-" {
				row[i] = ""
			}
		}
		cw.Write(append(row, strconv.FormatBool(r.Feasible), r.Err))
	}
	for _, s := range Summarize(results) {
		// Class rows reuse the columns: totals of vehicles and costs, the
		// mean gap, the total time and feasible as "k/n".
		f := summaryRow(s)
		row := []string{"class:" + s.Class, f[3], f[5], f[4], f[6], f[7], f[8], f[2], ""}
		for i, v := range row {
			if v == "-" {
				row[i] = ""
			}
		}
		cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("bench: report: %w", err)
	}
	return nil
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = fmt.Errorf("bench: report: %w", err)
	}
	return n, nil
}
