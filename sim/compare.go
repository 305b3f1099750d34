package sim

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Comparison is the same day run under several variants.
type Comparison struct {
	Schema   string    `json:"schema"`
	Kind     string    `json:"compare"`
	Variants []Variant `json:"variants"`
}

// Variant is one run of a comparison.
type Variant struct {
	Name   string  `json:"name"`
	Result *Result `json:"result"`
}

// Compare runs the day of cfg under the variants of kind: "strategy"
// (optimizer, nearest neighbour), "ev" (0, 50 and 100 % of the vans
// electric) or "windows" (tight: 60 % of orders with 1 h windows; loose:
// 15 % with 2–4 h windows). The orders, their addresses and what happens
// at each door are the same in every variant.
func Compare(ctx context.Context, cfg Config, kind string) (*Comparison, error) {
	type variant struct {
		name string
		edit func(*Config)
	}
	var vs []variant
	switch kind {
	case "strategy":
		vs = []variant{{StrategyOptimizer, func(c *Config) { c.Strategy = StrategyOptimizer }},
			{StrategyNearest, func(c *Config) { c.Strategy = StrategyNearest }}}
	case "ev":
		for _, s := range []float64{0, 0.5, 1} {
			vs = append(vs, variant{fmt.Sprintf("ev %.0f%%", 100*s), func(c *Config) { c.EVShare = s }})
		}
	case "windows":
		vs = []variant{{"tight windows", func(c *Config) { c.WindowShare, c.WindowMinH, c.WindowMaxH = 0.6, 1, 1 }},
			{"loose windows", func(c *Config) { c.WindowShare, c.WindowMinH, c.WindowMaxH = 0.15, 2, 4 }}}
	default:
		return nil, fmt.Errorf("--compare: %q is not strategy, ev or windows", kind)
	}
	out := &Comparison{Schema: "lastmile.simulate.compare/v1", Kind: kind}
	progress := cfg.Progress
	for i, v := range vs {
		c := cfg
		v.edit(&c)
		if progress != nil {
			c.Progress = func(done, total int) { progress(i*total+done, len(vs)*total) }
		}
		res, err := Run(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.name, err)
		}
		out.Variants = append(out.Variants, Variant{Name: v.name, Result: res})
	}
	return out, nil
}

// metric is one row of the comparison table.
type metric struct {
	name   string
	format string
	get    func(*Result) float64
}

var metrics = []metric{
	{"delivered", "%.0f", func(r *Result) float64 { return float64(r.KPIs.Delivered) }},
	{"unassigned", "%.0f", func(r *Result) float64 { return float64(r.Day.Unassigned) }},
	{"on-time rate %", "%.1f", func(r *Result) float64 { return 100 * r.KPIs.OnTimeRate }},
	{"first-attempt success %", "%.1f", func(r *Result) float64 { return 100 * r.KPIs.FirstAttemptRate }},
	{"km", "%.1f", func(r *Result) float64 { return r.KPIs.KM }},
	{"km per stop", "%.2f", func(r *Result) float64 { return r.KPIs.KMPerStop }},
	{"minutes per stop", "%.1f", func(r *Result) float64 { return r.KPIs.MinutesPerStop }},
	{"stops per route-hour", "%.1f", func(r *Result) float64 { return r.KPIs.StopsPerRouteHour }},
	{"route hours", "%.1f", func(r *Result) float64 { return r.KPIs.RouteHours }},
	{"vehicles used", "%.0f", func(r *Result) float64 { return float64(r.KPIs.VehiclesUsed) }},
	{"cost per delivery", "%.2f", func(r *Result) float64 { return r.KPIs.CostPerDelivery / 100 }},
	{"CO2 kg", "%.1f", func(r *Result) float64 { return r.KPIs.CO2Kg }},
	{"CO2 g per delivery", "%.0f", func(r *Result) float64 { return r.KPIs.CO2GPerDelivery }},
	{"overtime minutes", "%.0f", func(r *Result) float64 { return r.KPIs.OvertimeMinutes }},
	{"ETA p90 at dispatch, min", "%.1f", func(r *Result) float64 { return r.ETA.AtDispatch.P90AbsMin }},
	{"ETA p90 30 min before, min", "%.1f", func(r *Result) float64 { return r.ETA.Before30.P90AbsMin }},
	{"notifications", "%.0f", func(r *Result) float64 { return float64(r.Notifications.Total) }},
}

// WriteTable writes the variants side by side, with the difference of
// each to the first.
func (c *Comparison) WriteTable(w io.Writer) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "Comparison: %s (seed %d, %d orders)\n", c.Kind, c.Variants[0].Result.Seed, c.Variants[0].Result.Day.Orders)
	tw := tabwriter.NewWriter(b, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "  \t")
	for _, v := range c.Variants {
		fmt.Fprintf(tw, "%s\t", v.Name)
	}
	for _, v := range c.Variants[1:] {
		fmt.Fprintf(tw, "%s − %s\t", v.Name, c.Variants[0].Name)
	}
	fmt.Fprintf(tw, "\n")
	for _, m := range metrics {
		fmt.Fprintf(tw, "  %s\t", m.name)
		for _, v := range c.Variants {
			fmt.Fprintf(tw, m.format+"\t", m.get(v.Result))
		}
		base := m.get(c.Variants[0].Result)
		for _, v := range c.Variants[1:] {
			fmt.Fprintf(tw, "%+"+strings.TrimPrefix(m.format, "%")+"\t", m.get(v.Result)-base)
		}
		fmt.Fprintf(tw, "\n")
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}
