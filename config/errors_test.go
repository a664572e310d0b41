package config

import (
	"fmt"
	"reflect"
	"testing"
)

func TestLeadingPath(t *testing.T) {
	for _, c := range []struct {
		msg, path string
		segs      []pathSeg
	}{
		{"fetch.parallelism: 1000 is not in 1..64", "fetch.parallelism", []pathSeg{{key: "fetch"}, {key: "parallelism"}}},
		{"serve.schedules[0].sources[1]: unknown", "serve.schedules[0].sources[1]", []pathSeg{{key: "serve"}, {key: "schedules"}, {index: 0}, {key: "sources"}, {index: 1}}},
		{`sources.bedrock.models["Llama 3.2 1B"]: x`, `sources.bedrock.models["Llama 3.2 1B"]`, []pathSeg{{key: "sources"}, {key: "bedrock"}, {key: "models"}, {key: "Llama 3.2 1B"}}},
		{"sources.custom[0].rows (source acme): bad", "sources.custom[0].rows", []pathSeg{{key: "sources"}, {key: "custom"}, {index: 0}, {key: "rows"}}},
		{"sources.nvidia-nim.models[1]: x", "sources.nvidia-nim.models[1]", []pathSeg{{key: "sources"}, {key: "nvidia-nim"}, {key: "models"}, {index: 1}}},
		{"the file is empty", "", nil},
		{"a.: x", "", nil},
		{"a[x]: y", "", nil},
		{"a[-1]: y", "", nil},
		{`a["x`, "", nil},
		{"nothing", "", nil},
	} {
		t.Run(c.msg, func(t *testing.T) {
			path, segs := leadingPath(c.msg)
			if path != c.path || !reflect.DeepEqual(segs, c.segs) {
				t.Errorf("%q %+v; want %q %+v", path, segs, c.path, c.segs)
			}
		})
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"max_change_pct", "max_factor", "hold_zero", "hold_flagged", "vanished_pct", "vanished_min", "webhook"}
	for _, c := range []struct{ word, want string }{
		{"max_facter", "max_factor"},
		{"max_change_percent", "max_change_pct"},
		{"MAX_FACTOR", "max_factor"},
		{"max-factor", "max_factor"},
		{"webhok", "webhook"},
		{"hold_flaged", "hold_flagged"},
		{"vanished", ""}, // two keys share the prefix: no guess
		{"timeout", ""},
		{"x", ""},
	} {
		t.Run(c.word, func(t *testing.T) {
			if got := closest(c.word, keys); got != c.want {
				t.Errorf("closest(%q) = %q; want %q", c.word, got, c.want)
			}
		})
	}
	if got := closest("params", []string{"id", "parameters", "moe"}); got != "parameters" {
		t.Errorf("closest(params) = %q", got)
	}
	if got := closest("nvidia_nim", SourceNames()); got != "nvidia-nim" {
		t.Errorf("closest(nvidia_nim) = %q", got)
	}
}

func TestNotText(t *testing.T) {
	for _, c := range []struct {
		data      string
		line, col int
		what      string
	}{
		{"a: 1\n", 0, 0, ""},
		{"\ufeffa: 1\n", 0, 0, ""},
		{"a: \t1\r\nb: é\n", 0, 0, ""},
		{"a: 1\nb: \x00\n", 2, 4, "control character U+0000"},
		{"a: 1\nb: \xff\n", 2, 4, "byte 0xff is not UTF-8"},
		{"ab\u0085c", 0, 0, ""},
		{"ab\u0080c", 1, 3, "control character U+0080"},
	} {
		t.Run(fmt.Sprintf("%q", c.data), func(t *testing.T) {
			line, col, what := notText([]byte(c.data))
			if line != c.line || col != c.col || what != c.what {
				t.Errorf("%q: %d:%d %q; want %d:%d %q", c.data, line, col, what, c.line, c.col, c.what)
			}
		})
	}
}
