package sim

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// WriteSummary writes the day's figures for a terminal.
func (r *Result) WriteSummary(w io.Writer) error {
	d, k := r.Day, r.KPIs
	b := &strings.Builder{}
	fmt.Fprintf(b, "Simulated day %s (seed %d, %s, %s travel)\n", r.Date, r.Seed, r.Strategy, strings.ReplaceAll(r.Travel, "_", "-"))
	fmt.Fprintf(b, "  orders %d: %d with a window, %d same-day, %d white-glove, %d returns; %d vehicles (%d electric), %d plans, %d unassigned\n",
		d.Orders, d.Windows, d.SameDay, d.WhiteGlove, d.Returns, d.Vehicles, d.Electric, d.Plans, d.Unassigned)
	tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', 0)
	row := func(name, format string, args ...any) {
		fmt.Fprintf(tw, "  %s\t"+format+"\n", append([]any{name}, args...)...)
	}
	row("attempted / delivered / failed", "%d / %d / %d", k.Attempted, k.Delivered, k.Failed)
	row("on-time rate", "%.1f %%", 100*k.OnTimeRate)
	row("first-attempt success", "%.1f %%", 100*k.FirstAttemptRate)
	row("cost per delivery", "%.2f (planned %.2f)", k.CostPerDelivery/100, k.PlannedCostPerDel/100)
	row("km (planned)", "%.1f (%.1f)", k.KM, k.PlannedKM)
	row("km / minutes per stop", "%.2f / %.1f", k.KMPerStop, k.MinutesPerStop)
	row("stops per route-hour", "%.1f", k.StopsPerRouteHour)
	row("vehicles used, utilisation", "%d, %.0f %% of shifts, %.0f %% of parcel capacity at peak", k.VehiclesUsed, 100*k.Utilisation, 100*k.LoadUtilisation)
	row("overtime", "%.0f min", k.OvertimeMinutes)
	row("CO2", "%.1f kg (%.0f g per delivery)", k.CO2Kg, k.CO2GPerDelivery)
	e := r.ETA
	row("ETA error at dispatch", "mean %.1f, p50 %.1f, p90 %.1f min (bias %+.1f, n %d)", e.AtDispatch.MeanAbsMin, e.AtDispatch.P50AbsMin, e.AtDispatch.P90AbsMin, e.AtDispatch.BiasMin, e.AtDispatch.N)
	row("ETA error 30 min before", "mean %.1f, p50 %.1f, p90 %.1f min (bias %+.1f, n %d)", e.Before30.MeanAbsMin, e.Before30.P50AbsMin, e.Before30.P90AbsMin, e.Before30.BiasMin, e.Before30.N)
	row("notifications", "%d (%s)", r.Notifications.Total, counts(r.Notifications.ByChannel))
	row("positions", "%d sent, %d accepted", r.Positions.Sent, r.Positions.Accepted)
	row("outcomes", "%s", counts(r.Outcomes))
	if len(r.Failures) > 0 {
		row("failure reasons", "%s", counts(r.Failures))
	}
	if len(r.Unassigned) > 0 {
		row("unassigned", "%s", counts(r.Unassigned))
	}
	if len(r.Requests) > 0 {
		a := r.Requests[0]
		row("API requests", "%d, p50 %.1f ms, p99 %.1f ms, %d errors", a.Requests, a.P50MS, a.P99MS, a.Errors)
	}
	row("time", "%.1f s (optimizer %.1f s)", r.Timing.TotalS, r.Timing.PlanS)
	tw.Flush()
	fmt.Fprintf(b, "\n")
	tw = tabwriter.NewWriter(b, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  vehicle\tplan\tstops\tdelivered\tfailed\ton time\tkm\tplanned km\tminutes\tstart\tend\tcost\tCO2 kg\t\n")
	for _, rt := range r.Routes {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%.0f\t%s\t%s\t%.2f\t%.1f\t\n", rt.Vehicle, rt.Plan, rt.Stops, rt.Delivered, rt.Failed, rt.OnTime,
			rt.KM, rt.PlannedKM, rt.Minutes, rt.Start, rt.End, float64(rt.CostCents)/100, rt.CO2Kg)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
