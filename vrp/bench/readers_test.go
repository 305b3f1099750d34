package bench

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadSolomonFiles(t *testing.T) {
	tests := []struct {
		set       string
		count     int
		customers int
		fleet     int
		capacity  map[string]int64 // by class
	}{
		{"solomon", 56, 100, 25, map[string]int64{"C1": 200, "R1": 200, "RC1": 200, "C2": 700, "R2": 1000, "RC2": 1000}},
		{"homberger200", 60, 200, 50, map[string]int64{"c1": 200, "r1": 200, "rc1": 200, "c2": 700, "r2": 1000, "rc2": 1000}},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			dir := sharedDir(t, tt.set)
			fs := files(t, dir, "*.txt")
			if len(fs) != tt.count {
				t.Fatalf("%d files, want %d", len(fs), tt.count)
			}
			set := SetSolomon
			if tt.set == "homberger200" {
				set = SetHomberger
			}
			for _, f := range fs {
				in, err := ReadSolomonFile(f)
				if err != nil {
					t.Fatal(err)
				}
				name := instanceName(f)
				if !strings.EqualFold(in.Name, name) {
					t.Errorf("%s: name %q", f, in.Name)
				}
				if len(in.Nodes) != tt.customers+1 || in.Vehicles != tt.fleet {
					t.Errorf("%s: %d nodes, fleet %d", name, len(in.Nodes), in.Vehicles)
				}
				if want := tt.capacity[Class(set, name)]; in.Capacity != want {
					t.Errorf("%s: capacity %d, want %d", name, in.Capacity, want)
				}
			}
		})
	}
	t.Run("C101 values", func(t *testing.T) {
		in, err := ReadSolomonFile(filepath.Join(sharedDir(t, "solomon"), "C101.txt"))
		if err != nil {
			t.Fatal(err)
		}
		want := []Node{
			{X: 40, Y: 50, Demand: 0, Ready: 0, Due: 1236, Service: 0},
			{X: 45, Y: 68, Demand: 10, Ready: 912, Due: 967, Service: 90},
		}
		for i, w := range want {
			if in.Nodes[i] != w {
				t.Errorf("node %d = %+v, want %+v", i, in.Nodes[i], w)
			}
		}
	})
}

func TestReadLiLimFiles(t *testing.T) {
	dir := sharedDir(t, "lilim100")
	fs := files(t, dir, "*.txt")
	if len(fs) != 56 {
		t.Fatalf("%d files, want 56", len(fs))
	}
	for _, f := range fs {
		in, err := ReadLiLimFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if in.Vehicles != 25 || in.Name != instanceName(f) {
			t.Errorf("%s: fleet %d, name %q", f, in.Vehicles, in.Name)
		}
		if n := len(in.Nodes) - 1; n < 100 || n > 110 || n%2 != 0 {
			t.Errorf("%s: %d task nodes", in.Name, n)
		}
		p := in.Problem()
		if len(p.Shipments) != (len(in.Nodes)-1)/2 || len(p.Jobs) != 0 {
			t.Errorf("%s: %d shipments, %d jobs", in.Name, len(p.Shipments), len(p.Jobs))
		}
	}
	in, err := ReadLiLimFile(filepath.Join(dir, "lc101.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// 3	42	66	10	65	146	90	0	75
	n := in.Nodes[3]
	if n.X != 42 || n.Y != 66 || n.Demand != 10 || n.Ready != 65 || n.Due != 146 || n.Service != 90 || n.Delivery != 75 || n.Pickup != 0 {
		t.Errorf("lc101 node 3 = %+v", n)
	}
}

func TestReadCVRPFiles(t *testing.T) {
	dir := sharedDir(t, "cvrp")
	fs := files(t, dir, "*.vrp")
	if len(fs) != 16 {
		t.Fatalf("%d files, want 16", len(fs))
	}
	for _, f := range fs {
		in, err := ReadCVRPFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if in.Name != instanceName(f) || in.Depot != 0 {
			t.Errorf("%s: name %q, depot %d", f, in.Name, in.Depot)
		}
		var dim int
		if _, err := fmtSscanf(in.Name, &dim); err != nil || dim != len(in.X) {
			t.Errorf("%s: %d nodes (%v)", in.Name, len(in.X), err)
		}
	}
	in, err := ReadCVRPFile(filepath.Join(dir, "X-n101-k25.vrp"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Capacity != 206 || in.X[0] != 365 || in.Y[0] != 689 || in.X[1] != 146 || in.Demand[100] != 35 {
		t.Errorf("X-n101-k25: capacity %d, node 1 (%g,%g), node 2 x %g, node 101 demand %d", in.Capacity, in.X[0], in.Y[0], in.X[1], in.Demand[100])
	}
}

func TestReadBKSFiles(t *testing.T) {
	tests := []struct {
		set, table string
		rows       int
		vehicles   int
		distance   float64
	}{
		{"solomon", "bks.csv", 56, 405, 57186.88},
		{"solomon", "bks_distance.csv", 56, 485, 54740.16},
		{"solomon", "bks_distance_dimacs.csv", 56, -1, 54501.5},
		{"homberger200", "bks.csv", 60, -1, -1},
		{"homberger200", "bks_distance_dimacs.csv", 60, -1, -1},
		{"lilim100", "bks.csv", 56, -1, -1},
		{"cvrp", "bks.csv", 16, 0, -1},
	}
	for _, tt := range tests {
		t.Run(tt.set+"/"+tt.table, func(t *testing.T) {
			b, err := ReadBKSFile(filepath.Join(sharedDir(t, tt.set), tt.table))
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != tt.rows {
				t.Errorf("%d rows, want %d", len(b), tt.rows)
			}
			v, d := 0, 0.0
			for _, r := range b {
				v += r.Vehicles
				d += r.Cost
			}
			if tt.vehicles >= 0 && v != tt.vehicles {
				t.Errorf("vehicles total %d, want %d", v, tt.vehicles)
			}
			if tt.distance >= 0 && math.Abs(d-tt.distance) > 0.005 {
				t.Errorf("distance total %.2f, want %.2f", d, tt.distance)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	const solomonHead = "C1\r\n\r\nVEHICLE\r\nNUMBER     CAPACITY\r\n  25         200\r\n\r\nCUSTOMER\r\nCUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME\r\n \r\n"
	const depot = "    0      40         50          0          0       1236          0\r\n"
	const liHead = "25\t200\t1\r\n0\t40\t50\t0\t0\t1236\t0\t0\t0\r\n"
	const cvrpHead = "NAME : t\nTYPE : CVRP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\n"
	tests := []struct {
		name, format, input, want string
	}{
		{"solomon empty", "solomon", "", "in.txt: name: empty file"},
		{"solomon no vehicle block", "solomon", "C1\nCUSTOMER\n", "in.txt:2: VEHICLE: got \"CUSTOMER\""},
		{"solomon bad capacity", "solomon", "C1\nVEHICLE\nNUMBER CAPACITY\n25 x\n", "in.txt:4: capacity: not a number: \"x\""},
		{"solomon zero fleet", "solomon", "C1\nVEHICLE\nNUMBER CAPACITY\n0 200\n", "in.txt:4: vehicle number: 0, want at least 1"},
		{"solomon short line", "solomon", solomonHead + depot + "    1      45         68         10        912        967\r\n", "in.txt:11: customer: got 6 fields, want 7"},
		{"solomon due before ready", "solomon", solomonHead + depot + "    1      45         68         10        912        900         90\r\n", "in.txt:11: due date: 900 is before the ready time 912"},
		{"solomon numbering", "solomon", solomonHead + depot + "    2      45         68         10        912        967         90\r\n", "in.txt:11: customer number: got 2, want 1"},
		{"solomon over capacity", "solomon", solomonHead + depot + "    1      45         68        210        912        967         90\r\n", "in.txt:11: demand: 210 exceeds the vehicle capacity 200"},
		{"solomon nan", "solomon", solomonHead + depot + "    1      NaN         68         10        912        967         90\r\n", "in.txt:11: x: \"NaN\" out of range"},
		{"solomon fractional demand", "solomon", solomonHead + depot + "    1      45         68         1.5        912        967         90\r\n", "in.txt:11: demand: \"1.5\" is not an integer"},
		{"solomon depot only", "solomon", solomonHead + depot, "in.txt:10: customer: got 1 nodes"},
		{"lilim header", "lilim", "25\t200\r\n", "in.txt:1: header: got 2 fields, want 3"},
		{"lilim unpaired", "lilim", liHead + "1\t45\t68\t10\t912\t967\t90\t0\t2\r\n2\t45\t70\t-20\t825\t870\t90\t1\t0\r\n", "in.txt:3: delivery index: pickup node 1 (demand 10) and node 2"},
		{"lilim zero demand", "lilim", liHead + "1\t45\t68\t0\t912\t967\t90\t0\t2\r\n2\t45\t70\t0\t825\t870\t90\t1\t0\r\n", "in.txt:3: demand: node 1 has demand 0"},
		{"lilim dangling", "lilim", liHead + "1\t45\t68\t10\t912\t967\t90\t0\t9\r\n2\t45\t70\t-10\t825\t870\t90\t1\t0\r\n", "in.txt:3: delivery index: pickup node 1 names delivery 9"},
		{"cvrp type", "cvrp", "TYPE : TSP\n", "in.txt:1: TYPE: \"TSP\", want CVRP"},
		{"cvrp edge type", "cvrp", "EDGE_WEIGHT_TYPE : GEO\n", "in.txt:1: EDGE_WEIGHT_TYPE: \"GEO\", want EUC_2D"},
		{"cvrp section first", "cvrp", "NODE_COORD_SECTION\n1 0 0\n", "in.txt:1: NODE_COORD_SECTION: section before DIMENSION"},
		{"cvrp node range", "cvrp", cvrpHead + "NODE_COORD_SECTION\n1 0 0\n3 1 1\n", "in.txt:8: NODE_COORD_SECTION node: 3 outside 1..2"},
		{"cvrp missing demand", "cvrp", cvrpHead + "NODE_COORD_SECTION\n1 0 0\n2 1 1\nDEMAND_SECTION\n1 0\nDEPOT_SECTION\n1\n-1\nEOF\n", "in.txt:14: DEMAND_SECTION: node 2 missing"},
		{"cvrp no depot", "cvrp", cvrpHead + "NODE_COORD_SECTION\n1 0 0\n2 1 1\nDEMAND_SECTION\n1 0\n2 3\nEOF\n", "DEPOT_SECTION: no depot"},
		{"cvrp demand over capacity", "cvrp", cvrpHead + "NODE_COORD_SECTION\n1 0 0\n2 1 1\nDEMAND_SECTION\n1 0\n2 11\nDEPOT_SECTION\n1\n-1\nEOF\n", "in.txt:11: demand: node 2 demand 11 exceeds the capacity 10"},
		{"bks header", "bks", "name,cost\n", "in.txt:1: header: got \"name,cost\""},
		{"bks vehicles", "bks", "instance,vehicles,distance,source\nC101,x,1,s\n", "in.txt:2: vehicles: \"x\""},
		{"bks duplicate", "bks", "instance,cost,source\nX,1,s\nX,2,s\n", "in.txt:3: instance: X listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			r := strings.NewReader(tt.input)
			switch tt.format {
			case "solomon":
				_, err = ReadSolomon(r, "in.txt")
			case "lilim":
				_, err = ReadLiLim(r, "in.txt")
			case "cvrp":
				_, err = ReadCVRP(r, "in.txt")
			case "bks":
				_, err = ReadBKS(r, "in.txt")
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %v is not a *FormatError", err)
			}
		})
	}
}
