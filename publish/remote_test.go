package publish_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/objstore"
	"github.com/llmref/llmref/objstore/s3test"
	"github.com/llmref/llmref/publish"
)

// catalogue is a small catalogue of n models, one priced offering each.
func catalogue(n int) *catalog.Snapshot {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	src := catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator}
	s := catalog.NewSnapshot()
	for i := range n {
		id := fmt.Sprintf("creator-%d/model-%02d", i%3, i)
		name := fmt.Sprintf("Model %d", i)
		s.Models[id] = &catalog.Model{ID: id, Creator: fmt.Sprintf("creator-%d", i%3), Capabilities: map[catalog.Capability]catalog.Fact[bool]{},
			Name: catalog.Fact[string]{Value: name, Display: name, Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}}
		o := &catalog.Offering{ModelID: id, Provider: "openrouter", ProviderModelID: id}
		s.Offerings[o.Key()] = o
		setPrice(s, id, catalog.Money(100_000*(i+1)))
	}
	return s
}

// setPrice sets a model's input and output prices.
func setPrice(s *catalog.Snapshot, id string, m catalog.Money) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	src := catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityProvider}
	o := s.OfferingsOf(id)[0]
	o.Input = catalog.Fact[catalog.Price]{Value: catalog.Fixed(m), Display: catalog.Fixed(m).String(), Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
	o.Output = catalog.Fact[catalog.Price]{Value: catalog.Fixed(4 * m), Display: catalog.Fixed(4 * m).String(), Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
}

// fixture is a local tree synced to a loopback S3 server.
type fixture struct {
	t      *testing.T
	srv    *s3test.Server
	remote *publish.Remote
	out    string // the local tree (a symbolic link)
	now    time.Time
}

func newFixture(t *testing.T, prefix string, keep int, grace time.Duration) *fixture {
	t.Helper()
	srv := s3test.Start(t, "llmref")
	o, err := objstore.Options{Retries: 3}.Resolve(srv.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := objstore.Open(objstore.Target{Bucket: "llmref", Prefix: prefix}, o)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, srv: srv, out: filepath.Join(t.TempDir(), "cache"), now: time.Date(2026, 4, 23, 3, 0, 0, 0, time.UTC)}
	f.remote = &publish.Remote{Store: b, Keep: keep, Grace: grace, Parallelism: 4, Now: func() time.Time { return f.now }}
	return f
}

// build exports snap as run into the local tree; it returns the new
// generation's folder and the one it replaced.
func (f *fixture) build(snap *catalog.Snapshot, run uint64) (gen, prev string) {
	f.t.Helper()
	prev, _ = filepath.EvalSymlinks(f.out)
	r := catalog.Run{ID: run, FinishedAt: time.Date(2026, 4, 23, 2, 0, int(run), 0, time.UTC)}
	_, err := export.Write(f.out, snap, r, schema.Section, func(t *export.Tree) error {
		_, err := publish.WriteComparisons(t, snap, compare.DefaultOptions())
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	gen, err = filepath.EvalSymlinks(f.out)
	if err != nil {
		f.t.Fatal(err)
	}
	return gen, prev
}

// publish builds and syncs, one minute after the last publish.
func (f *fixture) publish(snap *catalog.Snapshot, run uint64) publish.RemoteStats {
	f.t.Helper()
	f.now = f.now.Add(time.Minute)
	gen, prev := f.build(snap, run)
	f.srv.Reset()
	st, err := f.remote.Sync(context.Background(), gen, prev, catalog.Run{ID: run})
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

// pointer reads current.json from the bucket.
func (f *fixture) pointer(prefix string) publish.Pointer {
	f.t.Helper()
	data, ok := f.srv.Object(f.t, prefix+publish.PointerFile)
	if !ok {
		f.t.Fatal("no current.json")
	}
	var p publish.Pointer
	if err := json.Unmarshal(data, &p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// verify checks the published tree as a reader would, with the schemas.
func (f *fixture) verify() {
	f.t.Helper()
	problems, err := f.remote.Verify(context.Background(), schema.Validate)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(problems) > 0 {
		f.t.Fatalf("the published tree has %d problems:\n%s", len(problems), strings.Join(problems, "\n"))
	}
}

// objectKeys are the keys of every file of the local tree's current
// generation (manifests' files included), relative to the prefix.
func objectKeys(t *testing.T, dir string) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	for _, e := range listFiles(t, dir) {
		keys[publish.ObjectKey(e.SHA256, e.Path)] = true
	}
	return keys
}

func listFiles(t *testing.T, dir string) []export.FileEntry {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, export.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	var idx export.Index
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	files := idx.Files
	for _, m := range idx.Manifests {
		fh, err := os.Open(filepath.Join(dir, m))
		if err != nil {
			t.Fatal(err)
		}
		err = export.ReadManifest(fh, func(e export.FileEntry) error { files = append(files, e); return nil }, nil)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func putKeys(puts []s3test.Put, prefix string) []string {
	var keys []string
	for _, p := range puts {
		keys = append(keys, strings.TrimPrefix(p.Key, prefix))
	}
	sort.Strings(keys)
	return keys
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSyncUploadsOnlyWhatChanged(t *testing.T) {
	const prefix = "site/v1/"
	f := newFixture(t, "site/v1", 3, time.Hour)
	snap := catalogue(6)

	// First publish: every object, then the index, then the pointer.
	st := f.publish(snap, 1)
	first, _ := filepath.EvalSymlinks(f.out)
	want := objectKeys(t, first)
	puts := f.srv.Puts()
	ptr := f.pointer(prefix)
	wantKeys := append(sortedKeys(want), "current.json", "generations/"+ptr.Generation+"/delta.json", "generations/"+ptr.Generation+"/index.json")
	sort.Strings(wantKeys)
	if got := putKeys(puts, prefix); !slices.Equal(got, wantKeys) {
		t.Fatalf("first publish put %d objects, want %d:\n got %q\nwant %q", len(got), len(wantKeys), got, wantKeys)
	}
	if st.Uploaded != len(want)+1 || !st.Published || st.Requests != len(puts) || st.Generation != ptr.Generation || st.Location != "s3://llmref/site/v1" {
		t.Errorf("first publish stats %+v", st)
	}
	for i, p := range puts {
		wantCache := publish.CacheImmutable
		if strings.HasSuffix(p.Key, "/current.json") {
			wantCache = publish.CachePointer
			if i != len(puts)-1 {
				t.Errorf("the pointer was put %d of %d, not last", i+1, len(puts))
			}
		}
		if p.ContentType != "application/json" || p.CacheControl != wantCache {
			t.Errorf("%s: Content-Type %q, Cache-Control %q", p.Key, p.ContentType, p.CacheControl)
		}
	}
	if ptr.Index != "generations/"+ptr.Generation+"/index.json" || ptr.Run != 1 || ptr.Objects != "objects/" || len(ptr.Generations) != 1 {
		t.Errorf("pointer %+v", ptr)
	}
	f.verify()

	// The same tree again: nothing at all.
	st = f.publish(snap, 1)
	if n := len(f.srv.Puts()); n != 0 || st.Published || st.Uploaded != 0 || st.Generation != ptr.Generation {
		t.Errorf("publishing the same tree again put %d objects: %+v", n, st)
	}

	// One price changed: that model's file, its comparisons, the files
	// that list prices and the manifest, then delta, index, pointer.
	before := want
	setPrice(snap, "creator-1/model-04", 777_777)
	st = f.publish(snap, 2)
	second, _ := filepath.EvalSymlinks(f.out)
	after := objectKeys(t, second)
	var changed []string
	for k := range after {
		if !before[k] {
			changed = append(changed, k)
		}
	}
	ptr2 := f.pointer(prefix)
	wantKeys = append(changed, "current.json", "generations/"+ptr2.Generation+"/delta.json", "generations/"+ptr2.Generation+"/index.json")
	sort.Strings(wantKeys)
	if got := putKeys(f.srv.Puts(), prefix); !slices.Equal(got, wantKeys) {
		t.Fatalf("one price changed put\n %q\nwant %q", got, wantKeys)
	}
	var pairs int
	for _, e := range listFiles(t, second) {
		if strings.HasPrefix(e.Path, "comparisons/") && strings.Contains(e.Path, "model-04") && after[publish.ObjectKey(e.SHA256, e.Path)] {
			pairs++
		}
	}
	if pairs != 5 || st.Uploaded != len(changed)+1 || len(changed) > 5+5 {
		t.Errorf("one price changed: %d objects changed (%d of the model's pairs), stats %+v", len(changed), pairs, st)
	}
	if len(ptr2.Generations) != 2 || ptr2.Generations[1].Generation != ptr.Generation {
		t.Errorf("pointer history %+v", ptr2.Generations)
	}
	f.verify()
}

func TestSyncReadsTheListingFromTheStore(t *testing.T) {
	f := newFixture(t, "", 3, time.Hour)
	snap := catalogue(5)
	f.publish(snap, 1)
	setPrice(snap, "creator-0/model-00", 5)
	// The local cache is gone (a new machine): the published generation's
	// listing is read from the bucket, and still only changes go up.
	os.RemoveAll(filepath.Dir(f.out))
	gen, _ := f.build(snap, 2)
	f.srv.Reset()
	st, err := f.remote.Sync(context.Background(), gen, "", catalog.Run{ID: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st.Uploaded > 1+4+4 || st.Uploaded < 3 || f.srv.Requests(http.MethodGet) < 3 {
		t.Errorf("without the local listing: %+v, %d GETs", st, f.srv.Requests(http.MethodGet))
	}
	f.verify()
}

func TestSyncCutShortLeavesReadersOnTheOldGeneration(t *testing.T) {
	f := newFixture(t, "p", 3, 0)
	snap := catalogue(6)
	f.publish(snap, 1)
	old := f.pointer("p/")
	f.now = f.now.Add(time.Minute)
	for i := range 6 {
		setPrice(snap, fmt.Sprintf("creator-%d/model-%02d", i%3, i), catalog.Money(1000+i))
	}
	gen, prev := f.build(snap, 2)
	// The store fails every PUT after the fourth: the sync stops with an
	// error, and the pointer still names the old generation, whole.
	var puts atomic.Int32
	f.srv.Fail(func(r *http.Request) int {
		if r.Method == http.MethodPut && puts.Add(1) > 4 {
			return http.StatusForbidden
		}
		return 0
	})
	if _, err := f.remote.Sync(context.Background(), gen, prev, catalog.Run{ID: 2}); err == nil {
		t.Fatal("a sync whose uploads fail reports no error")
	}
	f.srv.Fail(nil)
	if p := f.pointer("p/"); p.Generation != old.Generation {
		t.Fatalf("the pointer moved to %s", p.Generation)
	}
	f.verify()
	abandoned := 0
	for _, k := range f.srv.Keys(t, "p/generations/") {
		if strings.HasSuffix(k, "/delta.json") && !strings.Contains(k, old.Generation) {
			abandoned++
		}
	}
	if abandoned != 1 {
		t.Fatalf("%d unpublished generations, want the one cut short", abandoned)
	}
	// The next sync publishes; pruning (grace 0) removes the generation
	// cut short, and with Keep 3 every object left is one a kept
	// generation holds.
	f.now = f.now.Add(time.Minute)
	st, err := f.remote.Sync(context.Background(), gen, prev, catalog.Run{ID: 2})
	if err != nil {
		t.Fatal(err)
	}
	if st.Pruned != 1 {
		t.Errorf("pruned %d generations, want the one cut short: %+v", st.Pruned, st)
	}
	f.verify()
	checkStore(t, f.srv, "p/", f.pointer("p/"))
}

// TestRepublishAfterAFailedSync is the daemon's retry after a failed
// upload: the run's tree is exported again locally (its folder already
// holds the run, the bucket the run before) and synced from there — the
// local previous generation is not what the bucket publishes, so what to
// upload is read from the bucket.
func TestRepublishAfterAFailedSync(t *testing.T) {
	f := newFixture(t, "p", 3, 0)
	snap := catalogue(6)
	f.publish(snap, 1)
	f.now = f.now.Add(time.Minute)
	for i := range 6 {
		setPrice(snap, fmt.Sprintf("creator-%d/model-%02d", i%3, i), catalog.Money(2000+i))
	}
	gen, prev := f.build(snap, 2)
	f.srv.Fail(func(r *http.Request) int {
		if r.Method == http.MethodPut {
			return http.StatusServiceUnavailable
		}
		return 0
	})
	if _, err := f.remote.Sync(context.Background(), gen, prev, catalog.Run{ID: 2}); err == nil {
		t.Fatal("a sync whose uploads all fail reports no error")
	}
	f.srv.Fail(nil)
	if p := f.pointer("p/"); p.Run != 1 {
		t.Fatalf("the pointer names run %d after a failed sync", p.Run)
	}
	f.now = f.now.Add(time.Minute)
	gen2, prev2 := f.build(snap, 2) // publishing again: the local tree already holds run 2
	if prev2 != gen {
		t.Fatalf("the local tree before publishing again is %s, want the generation the failed sync left (%s)", prev2, gen)
	}
	st, err := f.remote.Sync(context.Background(), gen2, prev2, catalog.Run{ID: 2})
	if err != nil {
		t.Fatal(err)
	}
	if p := f.pointer("p/"); !st.Published || p.Run != 2 {
		t.Fatalf("published again: %+v, the pointer names run %d", st, p.Run)
	}
	f.verify()
	checkStore(t, f.srv, "p/", f.pointer("p/"))
}

func TestSyncRetriesTransientFailures(t *testing.T) {
	f := newFixture(t, "", 3, time.Hour)
	// Every object's first PUT answers 503, every other request's first
	// try 502: each is retried.
	var mu sync.Mutex
	tried := map[string]bool{}
	f.srv.Fail(func(r *http.Request) int {
		mu.Lock()
		defer mu.Unlock()
		k := r.Method + " " + r.URL.String()
		if tried[k] {
			return 0
		}
		tried[k] = true
		if r.Method == http.MethodPut {
			return http.StatusServiceUnavailable
		}
		return http.StatusBadGateway
	})
	st := f.publish(catalogue(4), 1)
	f.srv.Fail(nil)
	if !st.Published || len(tried) < st.Requests {
		t.Errorf("%+v after %d failed first tries", st, len(tried))
	}
	f.verify()
}

// checkStore checks that the generations the bucket holds are among those
// the pointer lists, each whole, that it holds no object none of them
// holds, and returns how many it holds.
func checkStore(t *testing.T, srv *s3test.Server, prefix string, ptr publish.Pointer) int {
	t.Helper()
	held := map[string]bool{}
	gens := map[string]bool{}
	for _, g := range ptr.Generations {
		idx, ok := srv.Object(t, prefix+publish.IndexKey(g.Generation))
		if !ok {
			continue // pruned after the pointer was written
		}
		gens[g.Generation] = true
		var index export.Index
		if err := json.Unmarshal(idx, &index); err != nil {
			t.Fatal(err)
		}
		files := index.Files
		for _, m := range index.Manifests {
			for _, e := range index.Files {
				if e.Path == m {
					data, _ := srv.Object(t, prefix+publish.ObjectKey(e.SHA256, e.Path))
					export.ReadManifest(strings.NewReader(string(data)), func(e export.FileEntry) error { files = append(files, e); return nil }, nil)
				}
			}
		}
		for _, e := range files {
			k := publish.ObjectKey(e.SHA256, e.Path)
			data, ok := srv.Object(t, prefix+k)
			sum := sha256.Sum256(data)
			if !ok || hex.EncodeToString(sum[:]) != e.SHA256 {
				t.Errorf("generation %s: %s missing or wrong at %s", g.Generation, e.Path, k)
			}
			held[k] = true
		}
	}
	for _, k := range srv.Keys(t, prefix) {
		rel := strings.TrimPrefix(k, prefix)
		switch {
		case rel == publish.PointerFile:
		case strings.HasPrefix(rel, "generations/"):
			g := strings.Split(rel, "/")[1]
			if !gens[g] {
				t.Errorf("%s: generation %s is not in the pointer's list", k, g)
			}
		case !held[rel]:
			t.Errorf("%s: no kept generation holds it", k)
		}
	}
	return len(gens)
}

func TestPruneKeepsTheConfiguredGenerations(t *testing.T) {
	for _, keep := range []int{1, 2, 3} {
		t.Run(fmt.Sprint("keep ", keep), func(t *testing.T) {
			f := newFixture(t, "tree", keep, 0)
			snap := catalogue(5)
			// Prices that move and come back: an object dropped by one
			// generation and added again by a later one must survive.
			prices := []catalog.Money{1, 2, 1, 3, 2, 1, 4, 2, 5, 5}
			for i, p := range prices {
				setPrice(snap, "creator-1/model-01", p)
				st := f.publish(snap, uint64(i+1))
				ptr := f.pointer("tree/")
				if want := min(i+1, keep); len(ptr.Generations) != want && len(ptr.Generations) != want+1 {
					t.Fatalf("after publish %d the pointer lists %d generations", i+1, len(ptr.Generations))
				}
				f.verify()
				if n := checkStore(t, f.srv, "tree/", ptr); n != min(i+1, keep) {
					t.Errorf("after publish %d the bucket holds %d generations, want %d", i+1, n, min(i+1, keep))
				}
				if i+1 > keep && st.Pruned == 0 {
					t.Errorf("publish %d pruned nothing: %+v", i+1, st)
				}
			}
		})
	}
}

func TestPruneWaitsForTheGrace(t *testing.T) {
	f := newFixture(t, "", 1, time.Hour)
	snap := catalogue(3)
	f.publish(snap, 1)
	setPrice(snap, "creator-0/model-00", 9)
	if st := f.publish(snap, 2); st.Pruned != 0 {
		t.Fatalf("a generation replaced a minute ago was pruned: %+v", st)
	}
	if n := len(f.pointer("").Generations); n != 2 {
		t.Fatalf("%d generations listed, want 2", n)
	}
	f.now = f.now.Add(2 * time.Hour)
	setPrice(snap, "creator-0/model-00", 10)
	if st := f.publish(snap, 3); st.Pruned != 1 {
		t.Fatalf("a generation replaced two hours ago was kept: %+v", st)
	}
	f.verify()
}

func TestVerifyFindsDamage(t *testing.T) {
	f := newFixture(t, "x", 3, time.Hour)
	f.publish(catalogue(4), 1)
	f.verify()
	ptr := f.pointer("x/")
	gen, _ := filepath.EvalSymlinks(f.out)
	var model export.FileEntry
	for _, e := range listFiles(t, gen) {
		if strings.HasPrefix(e.Path, "models/") {
			model = e
			break
		}
	}
	key := "x/" + publish.ObjectKey(model.SHA256, model.Path)
	f.srv.PutObject(t, key, []byte(`{"schema_version": 1}`))
	problems, err := f.remote.Verify(context.Background(), schema.Validate)
	if err != nil || len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), model.Path+": SHA-256") {
		t.Errorf("a changed object: %q, %v", problems, err)
	}
	f.srv.DeleteObject(t, key)
	problems, _ = f.remote.Verify(context.Background())
	if len(problems) != 1 || !strings.Contains(problems[0], model.Path+": listed but unreadable") {
		t.Errorf("a missing object: %q", problems)
	}
	f.srv.DeleteObject(t, "x/"+ptr.Index)
	if _, err := f.remote.Verify(context.Background()); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing index: %v", err)
	}
	f.srv.DeleteObject(t, "x/current.json")
	if _, err := f.remote.Verify(context.Background()); err == nil || !strings.Contains(err.Error(), "nothing is published") {
		t.Errorf("no pointer: %v", err)
	}
}
