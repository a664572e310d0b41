// Package urllist is the bench site's list of content pages, urls.tsv: one
// "kind<TAB>url" line a page, written by bench/cmd/site and read by the
// crawlers measured against llmref (bench/cmd/baseline,
// bench/cmd/revalidate). It imports nothing of llmref's, so that those
// commands' start-up costs what a plain Go program's does.
package urllist

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Target is one page of the list.
type Target struct {
	Kind string // the page's kind: "openai", "endpoints", "models"
	URL  string
}

// Write writes targets to path.
func Write(path string, targets []Target) error {
	var b strings.Builder
	for _, t := range targets {
		fmt.Fprintf(&b, "%s\t%s\n", t.Kind, t.URL)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// Read reads the list at path; a list with no page is an error.
func Read(path string) ([]Target, error) {
	if path == "" {
		return nil, errors.New("--urls FILE is required")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var targets []Target
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if kind, u, ok := strings.Cut(sc.Text(), "\t"); ok {
			targets = append(targets, Target{kind, u})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(targets) == 0 {
		return nil, fmt.Errorf("%s: no URLs", path)
	}
	return targets, nil
}
