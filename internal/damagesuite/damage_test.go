package damagesuite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/llmref/llmref/internal/testbin"
)

// TestMain removes the binary the test built.
func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// outcome is what one command did with one damaged file.
type outcome struct {
	code   int    // exit code; -1 when killed by a signal
	stderr string // what it wrote to stderr
	err    error  // a failure of the harness or of serve's answers
}

// kind sums the outcome up for the table: "0", or "1:" and what the
// message says.
func (o outcome) kind() string {
	switch {
	case o.err != nil:
		return "FAIL"
	case o.code != 1:
		return fmt.Sprint(o.code)
	case strings.Contains(o.stderr, "truncated"):
		return "1:truncated"
	case strings.Contains(o.stderr, "is corrupt at"):
		return "1:corrupt"
	case strings.Contains(o.stderr, "llmref: check: database"):
		return fmt.Sprintf("1:check(%d)", strings.Count(o.stderr, "llmref: check: database"))
	case strings.Contains(o.stderr, "not copied"):
		return "1:not copied"
	}
	return "1:other"
}

// crashed reports what marks a death rather than an exit: a signal, a Go
// panic or fatal error, an exit code other than 0 and 1.
func (o outcome) crashed() string {
	for _, mark := range []string{"panic:", "SIGBUS", "SIGSEGV", "fatal error", "goroutine "} {
		if strings.Contains(o.stderr, mark) {
			return fmt.Sprintf("%q on stderr", mark)
		}
	}
	if o.code != 0 && o.code != 1 {
		return fmt.Sprintf("exit %d", o.code)
	}
	return ""
}

// command is one command line run against a damaged copy in its own
// folder; "OUT" stands for a folder in it.
type command struct {
	name string
	args []string
}

var commands = []command{
	{"check", []string{"check"}},
	{"models", []string{"models"}},
	{"refresh", []string{"refresh", "--replay", "2026-04-24"}},
	{"compact", []string{"compact"}},
	{"changes", []string{"changes"}},
	{"review", []string{"review"}},
	{"history", []string{"history", "meta/llama-3.2-1b-instruct", "--provider", "openrouter"}},
	{"compare", []string{"compare", "openai/gpt-5.3-codex", "meta/llama-3.2-1b-instruct"}},
	{"export", []string{"export", "--out", "OUT"}},
	{"sources", []string{"sources"}},
	{"rebuild", []string{"rebuild"}},
}

// run runs the binary in dir against dir/llmref.db with -q and a minute's
// limit.
func run(bin, dir string, args ...string) outcome {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--db", filepath.Join(dir, "llmref.db"), "-q"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	o := outcome{stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		o.code = ee.ExitCode() // -1 for a signal
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			o.stderr += "\n(killed by " + ws.Signal().String() + ")"
		}
	default:
		o.code, o.err = -1, err
	}
	if ctx.Err() != nil {
		o.err = fmt.Errorf("did not finish within a minute")
	}
	return o
}

// serveOnce starts `llmref serve` on dir's database and the export, asks
// /healthz and /v1/index.json, checks it is still up, and stops it with
// SIGTERM. The outcome's code is serve's exit code; err says what it
// answered wrong.
func serveOnce(bin, dir, export string) (outcome, int) {
	cmd := exec.Command(bin, "--db", filepath.Join(dir, "llmref.db"), "serve", "--addr", "127.0.0.1:0", "--export", export)
	cmd.Dir = dir
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	var mu sync.Mutex
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		return outcome{code: -1, err: err}, 0
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); pw.Close() }()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			mu.Lock()
			stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if u, ok := strings.CutPrefix(sc.Text(), "llmref serve: listening on "); ok {
				addr <- u
			}
		}
	}()
	finish := func(o outcome) outcome {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				// SIGQUIT first: the Go runtime prints every goroutine's
				// stack, which says what held serve (seen once, not
				// reproduced since).
				cmd.Process.Signal(syscall.SIGQUIT)
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					cmd.Process.Kill()
					<-done
				}
				mu.Lock()
				stacks := stderr.String()
				mu.Unlock()
				if i := strings.Index(stacks, "SIGQUIT"); i >= 0 {
					stacks = stacks[i:]
				}
				o.err = errors.Join(o.err, fmt.Errorf("serve did not stop on SIGTERM; its goroutines:\n%s", stacks))
			}
		}
		o.code = cmd.ProcessState.ExitCode()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			o.err = errors.Join(o.err, fmt.Errorf("serve killed by %v", ws.Signal()))
		}
		mu.Lock()
		o.stderr = stderr.String()
		mu.Unlock()
		return o
	}
	var url string
	select {
	case url = <-addr:
	case <-done:
		return finish(outcome{err: errors.New("serve exited before listening")}), 0
	case <-time.After(30 * time.Second):
		return finish(outcome{err: errors.New("serve did not start")}), 0
	}
	client := &http.Client{Timeout: 20 * time.Second}
	get := func(path string) (int, string, error) {
		resp, err := client.Get(url + path)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	var o outcome
	health, body, err := get("/healthz")
	switch {
	case err != nil:
		o.err = fmt.Errorf("/healthz: %w", err)
	case health != http.StatusOK && health != http.StatusServiceUnavailable:
		o.err = fmt.Errorf("/healthz answered %d", health)
	case health == http.StatusServiceUnavailable && !strings.Contains(body, `"problems"`):
		o.err = fmt.Errorf("/healthz 503 names no problem: %s", body)
	}
	if code, _, err := get("/v1/index.json"); err != nil || code != http.StatusOK {
		o.err = errors.Join(o.err, fmt.Errorf("/v1/index.json: %d %v", code, err))
	}
	if _, _, err := get("/healthz"); err != nil {
		o.err = errors.Join(o.err, fmt.Errorf("serve is down after its requests: %w", err))
	}
	return finish(o), health
}

// layout is what the suite reads of a bbolt file to aim its damage: its
// page size, high-water mark, meta pages, freelist and some pages in use.
type layout struct {
	psize, pages       int64
	newerMeta          int64 // 0 or 1
	root, freelist     int64
	branch, leaf       int64 // a branch page in use and a leaf page below it
	bodyLeaf, freePage int64 // a leaf of the bodies bucket; a free page (0: none)
}

var ne = binary.NativeEndian

func readLayout(t *testing.T, b []byte) layout {
	t.Helper()
	meta := func(i int64, ps int64) []byte { return b[i*ps+16 : i*ps+16+64] }
	l := layout{psize: int64(ne.Uint32(meta(0, 0)[8:]))}
	m0, m1 := meta(0, l.psize), meta(1, l.psize)
	m := m0
	if ne.Uint64(m1[48:]) > ne.Uint64(m0[48:]) {
		m, l.newerMeta = m1, 1
	}
	l.root, l.freelist, l.pages = int64(ne.Uint64(m[16:])), int64(ne.Uint64(m[32:])), int64(ne.Uint64(m[40:]))
	page := func(id int64) []byte { return b[id*l.psize:] }
	elem := func(p []byte, i int) (key, val []byte, child int64) {
		e := p[16+i*16:]
		if ne.Uint16(p[8:]) == 1 { // branch: pos, ksize, pgid
			pos, ksize := int(ne.Uint32(e)), int(ne.Uint32(e[4:]))
			return e[pos : pos+ksize], nil, int64(ne.Uint64(e[8:]))
		}
		pos, ksize, vsize := int(ne.Uint32(e[4:])), int(ne.Uint32(e[8:])), int(ne.Uint32(e[12:]))
		return e[pos : pos+ksize], e[pos+ksize : pos+ksize+vsize], 0
	}
	// The buckets are the root page's elements; the largest tree with a
	// branch root gives the branch and leaf pages.
	rootPage := page(l.root)
	roots := map[string]int64{}
	for i := range int(ne.Uint16(rootPage[10:])) {
		k, v, _ := elem(rootPage, i)
		roots[string(k)] = int64(ne.Uint64(v))
	}
	for _, name := range []string{"offerings", "models", "pages", "history", "bodies", "page_observations"} {
		if id := roots[name]; id != 0 && ne.Uint16(page(id)[8:]) == 1 {
			l.branch = id
			_, _, l.leaf = elem(page(id), 0)
			break
		}
	}
	for id := roots["bodies"]; id != 0; {
		if ne.Uint16(page(id)[8:]) == 2 {
			l.bodyLeaf = id
			break
		}
		_, _, id = elem(page(id), 0)
	}
	fl := page(l.freelist)
	if n := ne.Uint16(fl[10:]); n > 0 && n < 0xFFFF {
		l.freePage = int64(ne.Uint64(fl[16:]))
	}
	if l.branch == 0 || l.leaf == 0 || l.bodyLeaf == 0 {
		t.Fatalf("the database has no branch page or no bodies leaf to damage: %+v", l)
	}
	return l
}

// damage is one way to spoil a copy of the database.
type damage struct {
	name string
	// size truncates the file to this many bytes; 0 leaves its size.
	size int64
	// flip is the offset of a byte to invert; -1 for none.
	flip int64
}

func damages(l layout, long bool) []damage {
	ps, hwm := l.psize, l.pages*l.psize
	elemAt := func(page int64, i, field int64) int64 { return page*ps + 16 + i*16 + field }
	ds := []damage{
		{"none", 0, -1},
		{"truncated after the first page header", 16, -1},
		{"truncated mid meta page 1", ps + 40, -1},
		{"truncated mid file", hwm / 2, -1},
		{"truncated one page short", hwm - ps, -1},
		{"truncated one byte short", hwm - 1, -1},
		{"flip meta page 0 txid", 0, 16 + 48},
		{"flip meta page 1 checksum", 0, ps + 16 + 56},
		{"flip freelist first id", 0, l.freelist*ps + 16},
		{"flip root page element 0 pos", 0, elemAt(l.root, 0, 4)},
		{"flip branch page child pointer", 0, elemAt(l.branch, 1, 8)},
		{"flip branch page first key", 0, -2}, // resolved in aim
		{"flip leaf page flags", 0, l.leaf*ps + 8},
		{"flip leaf page element 0 ksize", 0, elemAt(l.leaf, 0, 8)},
		{"flip a raw body's bytes", 0, -3}, // resolved in aim
	}
	if l.freePage != 0 {
		ds = append(ds, damage{"flip a free page", 0, l.freePage*ps + ps/2})
	} else {
		ds = append(ds, damage{"flip the leaf page's last byte", 0, l.leaf*ps + ps - 1})
	}
	if long {
		for i := int64(1); i <= 20; i++ {
			ds = append(ds, damage{fmt.Sprintf("truncated at %d/21 of the used pages", i), hwm * i / 21, -1})
		}
		r := rand.New(rand.NewPCG(12, 0))
		for i := 0; i < 100; i++ {
			off := r.Int64N(hwm)
			ds = append(ds, damage{fmt.Sprintf("flip byte %d (page %d)", off, off/ps), 0, off})
		}
	}
	return ds
}

// aim resolves the flips that need the file's bytes: a branch key, a body.
func aim(d damage, l layout, b []byte) damage {
	ps := l.psize
	switch d.flip {
	case -2: // the first key of the branch page
		e := l.branch*ps + 16
		d.flip = e + int64(ne.Uint32(b[e:]))
	case -3: // the middle of the first body on the bodies leaf
		e := l.bodyLeaf*ps + 16
		pos, ksize, vsize := int64(ne.Uint32(b[e+4:])), int64(ne.Uint32(b[e+8:])), int64(ne.Uint32(b[e+12:]))
		d.flip = e + pos + ksize + vsize/2
	}
	return d
}

// apply writes the damaged copy to dir/llmref.db.
func (d damage) apply(t *testing.T, whole []byte, dir string) {
	t.Helper()
	b := append([]byte(nil), whole...)
	if d.flip >= 0 {
		b[d.flip] ^= 0xff
	}
	if d.size > 0 {
		b = b[:d.size]
	}
	if err := os.WriteFile(filepath.Join(dir, "llmref.db"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkLines are the problems `llmref check` lists, sorted.
func checkLines(o outcome) []string {
	var out []string
	for _, l := range strings.Split(o.stderr, "\n") {
		if strings.HasPrefix(l, "llmref: check: database ") {
			_, p, _ := strings.Cut(strings.TrimPrefix(l, "llmref: check: database "), ": ")
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func TestDamagedDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it about 200 times")
	}
	bin := testbin.LLMRef(t)
	base := t.TempDir()
	export := filepath.Join(base, "export")
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		o := run(bin, base, "refresh", "--replay", day, "--export", export)
		if o.code != 0 && o.code != 3 {
			t.Fatalf("refresh %s: exit %d\n%s", day, o.code, o.stderr)
		}
	}
	whole, err := os.ReadFile(filepath.Join(base, "llmref.db"))
	if err != nil {
		t.Fatal(err)
	}
	l := readLayout(t, whole)
	t.Logf("database: %d bytes, %d pages of %d in use; newer meta page %d, root %d, freelist %d, branch %d, leaf %d, bodies leaf %d, free page %d",
		len(whole), l.pages, l.psize, l.newerMeta, l.root, l.freelist, l.branch, l.leaf, l.bodyLeaf, l.freePage)

	type row struct {
		d     damage
		out   map[string]outcome
		after []string // check's problems after the refresh, when it exited 0
	}
	ds := damages(l, os.Getenv("LLMREF_LONG") == "1")
	rows := make([]*row, len(ds))
	t.Run("damage", func(t *testing.T) {
		for i, d := range ds {
			d = aim(d, l, whole)
			r := &row{d: d, out: map[string]outcome{}}
			rows[i] = r
			t.Run(d.name, func(t *testing.T) {
				t.Parallel()
				for _, c := range commands {
					dir := t.TempDir()
					d.apply(t, whole, dir)
					args := slices.Clone(c.args)
					if i := slices.Index(args, "OUT"); i >= 0 {
						args[i] = filepath.Join(dir, "out")
					}
					o := run(bin, dir, args...)
					if c.name == "refresh" && o.code == 0 {
						r.after = checkLines(run(bin, dir, "check"))
					}
					r.out[c.name] = o
				}
				dir := t.TempDir()
				d.apply(t, whole, dir)
				o, health := serveOnce(bin, dir, export)
				r.out["serve"] = o
				r.out["healthz"] = outcome{code: health}
				verify(t, d, r.out, r.after)
			})
		}
	})
	// The table: damage × command → exit code and what the message says.
	var tb strings.Builder
	names := []string{"check", "models", "refresh", "compact", "changes", "review", "history", "compare", "export", "sources", "rebuild", "serve", "healthz"}
	fmt.Fprintf(&tb, "\n| damage | %s |\n|---|%s\n", strings.Join(names, " | "), strings.Repeat("---|", len(names)))
	for _, r := range rows {
		if r == nil {
			continue
		}
		cells := make([]string, len(names))
		for i, n := range names {
			o := r.out[n]
			switch n {
			case "healthz":
				cells[i] = fmt.Sprint(o.code)
			default:
				cells[i] = o.kind()
			}
		}
		fmt.Fprintf(&tb, "| %s | %s |\n", r.d.name, strings.Join(cells, " | "))
	}
	for _, r := range rows {
		for _, n := range names {
			if o, ok := r.out[n]; ok && r != nil && o.kind() == "1:other" {
				first, _, _ := strings.Cut(o.stderr, "\n")
				fmt.Fprintf(&tb, "%s, %s: %.300s\n", r.d.name, n, first)
			}
		}
	}
	t.Log(tb.String())
}

// verify holds one damage's outcomes to the rules.
func verify(t *testing.T, d damage, out map[string]outcome, after []string) {
	t.Helper()
	for name, o := range out {
		if name == "healthz" {
			continue
		}
		if o.err != nil {
			t.Errorf("%s: %v\n%s", name, o.err, o.stderr)
		}
		if c := o.crashed(); c != "" {
			t.Errorf("%s died: %s\n%s", name, c, o.stderr)
			continue
		}
		if o.code == 1 && name != "serve" {
			lines := strings.Split(strings.TrimRight(o.stderr, "\n"), "\n")
			for _, l := range lines {
				if !strings.HasPrefix(l, "llmref: ") {
					t.Errorf("%s: a line on stderr that is not llmref's message: %q", name, l)
				}
			}
			if name != "check" && len(lines) != 1 {
				t.Errorf("%s: %d lines on stderr, want one:\n%s", name, len(lines), o.stderr)
			}
		}
	}
	check, refresh := out["check"], out["refresh"]
	if d.name == "none" {
		for name, o := range out {
			if name != "healthz" && o.code != 0 {
				t.Errorf("the undamaged database: %s exit %d\n%s", name, o.code, o.stderr)
			}
		}
		return
	}
	healthz := out["healthz"].code
	if strings.Contains(check.stderr, "truncated") || opensRefused(out) {
		if healthz != http.StatusServiceUnavailable {
			t.Errorf("/healthz answered %d for a file every command refuses", healthz)
		}
	}
	if check.code == 1 && refresh.code == 0 {
		// Only a record's bytes may be damaged (the file opened), and the
		// refresh must have left the damage as check found it.
		if opensRefused(out) {
			t.Errorf("refresh exited 0 on a file check calls damaged and other commands refuse:\n%s", check.stderr)
		}
		before := checkLines(check)
		for _, p := range after {
			found := false
			for _, q := range before {
				found = found || p == q
			}
			if !found {
				t.Errorf("the refresh made the damage grow: %q was not there before (before: %q)", p, before)
			}
		}
	}
}

// opensRefused reports whether the read commands refused the file for its
// structure (truncated, a damaged page), not for one record that does not
// decode.
func opensRefused(out map[string]outcome) bool {
	o := out["models"]
	switch o.kind() {
	case "1:truncated":
		return true
	case "1:corrupt":
		return !strings.Contains(o.stderr, "the record does not decode")
	}
	return false
}
