package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/llmref/llmref/export"
)

// formatFlag registers --format text|json on a command that prints a
// result: text for people (the default), json for scripts.
func formatFlag(fs *flag.FlagSet) *string {
	return fs.String("format", "text", "output format: text or json")
}

// checkFormat refuses a --format other than text or json.
func checkFormat(cmd, format string) error {
	if format != "text" && format != "json" {
		return usageError{fmt.Sprintf("%s: --format %q: want text or json", cmd, format)}
	}
	return nil
}

// writeJSON writes v as canonical JSON: sorted keys, indented, a final
// newline, the same bytes for the same value.
func writeJSON(w io.Writer, v any) error {
	b, err := export.Canonical(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
