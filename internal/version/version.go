// Package version says which build of llmref is running: its module
// version, the commit it was built from and the Go version, read from the
// build information the Go toolchain embeds in every binary.
//
// A binary built from a checkout by `go build` carries a pseudo-version and
// the commit; `go run` and `go test` builds say "(devel)", and so does a
// build from a tree without its .git folder (the container image) unless
// the build sets the version and commit through the linker:
//
//	go build -ldflags "-X github.com/llmref/llmref/internal/version.version=v1.2.0 \
//	  -X github.com/llmref/llmref/internal/version.revision=$(git rev-parse HEAD)" ./cmd/llmref
package version

import (
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// Set through the linker (-X) by builds that have no build information of
// their own; they win over it.
var (
	version  string
	revision string
)

// Devel is the version of a build that knows none: `go run`, `go test`, a
// build outside version control.
const Devel = "(devel)"

// Info is what a binary knows of its build.
type Info struct {
	// Version is the module version ("v1.2.0", a pseudo-version such as
	// "v0.0.0-20260423020000-fc1cca7e1b2a+dirty"), or Devel.
	Version string `json:"version"`
	// Revision is the commit the binary was built from; empty when unknown.
	Revision string `json:"revision,omitempty"`
	// Time is the commit's time (RFC 3339); empty when unknown.
	Time string `json:"time,omitempty"`
	// Modified says the checkout had uncommitted changes.
	Modified bool `json:"modified,omitempty"`
	// GoVersion is the toolchain that built the binary ("go1.25.3").
	GoVersion string `json:"go"`
}

// Get returns this binary's build information, read once.
var Get = sync.OnceValue(func() Info { return read(debug.ReadBuildInfo) })

func read(buildInfo func() (*debug.BuildInfo, bool)) Info {
	i := Info{Version: Devel, GoVersion: runtime.Version()}
	if bi, ok := buildInfo(); ok {
		if v := bi.Main.Version; v != "" {
			i.Version = v
		}
		if bi.GoVersion != "" {
			i.GoVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				i.Revision = s.Value
			case "vcs.time":
				i.Time = s.Value
			case "vcs.modified":
				i.Modified = s.Value == "true"
			}
		}
	}
	if version != "" {
		i.Version = version
	}
	if revision != "" {
		i.Revision = revision
	}
	return i
}

// Token is the version as a User-Agent product version (RFC 9110 token
// characters only): "1.2.0", "0.0.0-20260423020000-fc1cca7e1b2a+dirty",
// "devel", or "devel-fc1cca7e1b2a" when the commit is known.
func (i Info) Token() string {
	v := strings.TrimPrefix(i.Version, "v")
	if i.Version == Devel || v == "" {
		v = "devel"
		if i.Revision != "" {
			v += "-" + short(i.Revision)
		}
	}
	return strings.Map(func(r rune) rune {
		if r < 0x80 && (r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return r
		}
		return '_'
	}, v)
}

// String is one line for people: "llmref v1.2.0 (commit fc1cca7e1b2a,
// modified, 2026-04-23T02:00:00Z) go1.25.3".
func (i Info) String() string {
	s := "llmref " + i.Version
	var parts []string
	if i.Revision != "" {
		parts = append(parts, "commit "+short(i.Revision))
	}
	if i.Modified {
		parts = append(parts, "modified")
	}
	if i.Time != "" {
		parts = append(parts, i.Time)
	}
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s + " " + i.GoVersion
}

func short(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
