package bench

import "fmt"

// FormatError reports invalid content in an instance or table file.
type FormatError struct {
	File  string // file name as given to the reader
	Line  int    // 1-based line number; 0 when the error concerns the whole file
	Field string // field or section name, e.g. "due date", "DEMAND_SECTION"
	Msg   string
}

func (e *FormatError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Field + ": " + e.Msg
}

func formatErr(file string, line int, field, format string, args ...any) *FormatError {
	return &FormatError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}
