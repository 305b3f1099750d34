package bench

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// BKS is one row of a best-known-solution table.
type BKS struct {
	Instance string
	Vehicles int     // 0 when the table does not give it (CVRP)
	Cost     float64 // total distance (VRPTW, PDPTW) or total rounded cost (CVRP)
	Source   string
}

// ReadBKSFile reads a best-known-solution table.
func ReadBKSFile(path string) (map[string]BKS, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read bks: %w", err)
	}
	defer f.Close()
	return ReadBKS(f, path)
}

// ReadBKS reads a CSV table with header instance,vehicles,distance,source
// (VRPTW and PDPTW tables) or instance,cost,source (CVRP). The result is
// keyed by instance name. file names the input in errors.
func ReadBKS(r io.Reader, file string) (map[string]BKS, error) {
	t, err := readBKS(r, file)
	if err != nil {
		return nil, fmt.Errorf("read bks: %w", err)
	}
	return t, nil
}

func readBKS(r io.Reader, file string) (map[string]BKS, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, formatErr(file, 1, "header", "empty file")
		}
		return nil, formatErr(file, 1, "header", "%v", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	var withVehicles bool
	switch strings.Join(header, ",") {
	case "instance,vehicles,distance,source":
		withVehicles = true
	case "instance,cost,source":
	default:
		return nil, formatErr(file, 1, "header", "got %q, want instance,vehicles,distance,source or instance,cost,source", strings.Join(header, ","))
	}
	t := map[string]BKS{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, formatErr(file, line, "", "%v", err)
		}
		if len(rec) != len(header) {
			return nil, formatErr(file, line, "", "got %d fields, want %d", len(rec), len(header))
		}
		b := BKS{Instance: strings.TrimSpace(rec[0]), Source: rec[len(rec)-1]}
		if b.Instance == "" {
			return nil, formatErr(file, line, "instance", "empty")
		}
		if _, dup := t[b.Instance]; dup {
			return nil, formatErr(file, line, "instance", "%s listed twice", b.Instance)
		}
		costField := 1
		if withVehicles {
			costField = 2
			v, err := strconv.Atoi(strings.TrimSpace(rec[1]))
			if err != nil || v < 1 {
				return nil, formatErr(file, line, "vehicles", "%q, want a positive integer", rec[1])
			}
			b.Vehicles = v
		}
		c, err := strconv.ParseFloat(strings.TrimSpace(rec[costField]), 64)
		if err != nil || c <= 0 || math.IsInf(c, 0) || math.IsNaN(c) {
			return nil, formatErr(file, line, header[costField], "%q, want a positive number", rec[costField])
		}
		b.Cost = c
		t[b.Instance] = b
	}
	return t, nil
}
