package main

import "testing"

func TestParseWebhooks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		ok   bool
	}{
		{"none", "", 0, true},
		{"two", "https://a.example/hook|0123456789abcdef, http://127.0.0.1:9000/x|fedcba9876543210", 2, true},
		{"no secret", "https://a.example/hook", 0, false},
		{"short secret", "https://a.example/hook|abc", 0, false},
		{"not http", "ftp://a.example/hook|0123456789abcdef", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := parseWebhooks(tt.in)
			if (err == nil) != tt.ok || len(hs) != tt.n {
				t.Fatalf("%d webhooks, %v", len(hs), err)
			}
		})
	}
}
