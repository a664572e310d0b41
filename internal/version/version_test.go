package version

import (
	"runtime/debug"
	"testing"
)

func TestRead(t *testing.T) {
	tests := []struct {
		name      string
		bi        *debug.BuildInfo
		ldVersion string
		ldRev     string
		want      Info
		token     string
		text      string
	}{
		{
			name:  "go run or go test",
			bi:    &debug.BuildInfo{GoVersion: "go1.25.3", Main: debug.Module{Version: "(devel)"}},
			want:  Info{Version: Devel, GoVersion: "go1.25.3"},
			token: "devel",
			text:  "llmref (devel) go1.25.3",
		},
		{
			name: "go build in a checkout with changes",
			bi: &debug.BuildInfo{GoVersion: "go1.25.3", Main: debug.Module{Version: "v0.0.0-20260423020000-fc1cca7e1b2a+dirty"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "fc1cca7e1b2a3c4d5e6f"}, {Key: "vcs.time", Value: "2026-04-23T02:00:00Z"}, {Key: "vcs.modified", Value: "true"},
			}},
			want:  Info{Version: "v0.0.0-20260423020000-fc1cca7e1b2a+dirty", Revision: "fc1cca7e1b2a3c4d5e6f", Time: "2026-04-23T02:00:00Z", Modified: true, GoVersion: "go1.25.3"},
			token: "0.0.0-20260423020000-fc1cca7e1b2a+dirty",
			text:  "llmref v0.0.0-20260423020000-fc1cca7e1b2a+dirty (commit fc1cca7e1b2a, modified, 2026-04-23T02:00:00Z) go1.25.3",
		},
		{
			name: "devel build that knows its commit",
			bi: &debug.BuildInfo{GoVersion: "go1.25.3", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "fc1cca7e1b2a3c4d5e6f"}, {Key: "vcs.modified", Value: "false"},
			}},
			want:  Info{Version: Devel, Revision: "fc1cca7e1b2a3c4d5e6f", GoVersion: "go1.25.3"},
			token: "devel-fc1cca7e1b2a",
			text:  "llmref (devel) (commit fc1cca7e1b2a) go1.25.3",
		},
		{
			name:      "image built with the linker's -X",
			bi:        &debug.BuildInfo{GoVersion: "go1.25.3", Main: debug.Module{Version: "(devel)"}},
			ldVersion: "v1.2.0", ldRev: "0123456789abcdef",
			want:  Info{Version: "v1.2.0", Revision: "0123456789abcdef", GoVersion: "go1.25.3"},
			token: "1.2.0",
			text:  "llmref v1.2.0 (commit 0123456789ab) go1.25.3",
		},
		{
			name:      "a version with characters a header cannot carry",
			bi:        &debug.BuildInfo{GoVersion: "go1.25.3", Main: debug.Module{Version: "(devel)"}},
			ldVersion: "1.2 (rc1)",
			want:      Info{Version: "1.2 (rc1)", GoVersion: "go1.25.3"},
			token:     "1.2__rc1_",
			text:      "llmref 1.2 (rc1) go1.25.3",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version, revision = tt.ldVersion, tt.ldRev
			defer func() { version, revision = "", "" }()
			got := read(func() (*debug.BuildInfo, bool) { return tt.bi, true })
			if got != tt.want {
				t.Errorf("read = %+v, want %+v", got, tt.want)
			}
			if tok := got.Token(); tok != tt.token {
				t.Errorf("Token = %q, want %q", tok, tt.token)
			}
			if s := got.String(); s != tt.text {
				t.Errorf("String = %q, want %q", s, tt.text)
			}
		})
	}
	t.Run("no build information", func(t *testing.T) {
		got := read(func() (*debug.BuildInfo, bool) { return nil, false })
		if got.Version != Devel || got.GoVersion == "" {
			t.Errorf("read = %+v", got)
		}
	})
}
