package store

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/internal/parallel"
)

// Every transaction goes through view or update, which recover what a
// damaged file makes bbolt do — panic, or read memory past the file (a
// fault, made a panic by debug.SetPanicOnFault) — and return it as one
// error naming the file. Open walks the file first (see integrity.go), so
// these are the last line: a file truncated or overwritten while open, a
// damage the walk cannot see.

// view runs fn in a read transaction, guarded.
func (s *Store) view(fn func(tx *bolt.Tx) error) error {
	defer s.trimAfter()
	return s.guard(func() error { return s.db.View(fn) })
}

// update runs fn in a write transaction, guarded. A panic rolls the
// transaction back: nothing of it is written. A transaction that starts
// from the state last walked and found sound leaves a state known sound
// (see soundNow in integrity.go).
func (s *Store) update(fn func(tx *bolt.Tx) error) error {
	defer s.trimAfter()
	sound := s.soundNow()
	err := s.guard(func() error { return s.db.Update(fn) })
	if err == nil && sound {
		s.trustOwnWrite()
	}
	return err
}

// guard runs fn with faults made panics and panics made errors.
func (s *Store) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = s.damaged(recovered(r))
		}
	}()
	err = fn()
	var p *panicked
	if errors.As(err, &p) {
		return s.damaged(p)
	}
	var re *recordError
	if errors.As(err, &re) {
		return &CorruptError{Path: s.path, At: string(re.bucket) + "/" + printableKey(re.bucket, []byte(re.key)), Detail: "the record does not decode: " + re.err.Error()}
	}
	return err
}

// recordError is a stored record that does not decode: bytes llmref never
// wrote there (guard names the file).
type recordError struct {
	bucket []byte
	key    string
	err    error
}

func (e *recordError) Error() string {
	return fmt.Sprintf("%s/%s: %v", e.bucket, printableKey(e.bucket, []byte(e.key)), e.err)
}

func (e *recordError) Unwrap() error { return e.err }

// badRecord reports that the record at key of bucket does not decode.
func badRecord(bucket []byte, key string, err error) error {
	return &recordError{bucket: bucket, key: key, err: err}
}

// parallelFor is parallel.For for work that reads the memory map: each
// worker's faults and panics come back as an error for guard to name.
func parallelFor(n int, fn func(i int) error) error {
	return parallel.For(n, func(i int) (err error) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if r := recover(); r != nil {
				err = recovered(r)
			}
		}()
		return fn(i)
	})
}

// panicked is a recovered panic and where it happened.
type panicked struct {
	value any
	site  string // the function that panicked
	inDB  bool   // in bbolt's code, or a fault reading memory
	addr  uintptr
}

func (p *panicked) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// recovered describes a panic just recovered (call it from the deferred
// function, where the panicking frames are still on the stack).
func recovered(r any) *panicked {
	if p, ok := r.(*panicked); ok {
		return p
	}
	p := &panicked{value: r}
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		p.inDB, p.addr = true, f.Addr() // a fault: memory that is not there
	}
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(2, pcs)])
	panicking := false // past the deferred function, into the panic
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic" || f.Function == "runtime.sigpanic":
			panicking = true
		case panicking && !strings.HasPrefix(f.Function, "runtime."):
			p.site = f.Function
			if strings.HasPrefix(f.Function, "go.etcd.io/bbolt") {
				p.inDB = true
			}
			return p
		}
		if !more {
			return p
		}
	}
}

// damagedAtOpen is damaged for a panic inside bolt.Open, before the
// store has a handle.
func (s *Store) damagedAtOpen(p *panicked) error {
	p.inDB = true
	return s.damaged(p)
}

// pageInPanic finds the page bbolt names in its assertion panics ("Page
// expected to be: 12, but self identifies as 0").
var pageInPanic = regexp.MustCompile(`(?i)page(?: expected to be:)? (\d+)`)

// damaged turns a recovered panic into the error to report: the file is
// truncated (it was cut short while open), or corrupt at a page, or, for a
// panic outside bbolt that no damage explains, an error that says so.
func (s *Store) damaged(p *panicked) error {
	var pages uint64
	if f, err := os.Open(s.path); err == nil {
		st, terr := readFileState(s.path, f)
		f.Close()
		if errors.Is(terr, ErrTruncated) || errors.Is(terr, ErrCorrupt) {
			return terr
		}
		if terr == nil && st.size > 0 {
			pages = st.meta.pgid
		}
	}
	if !p.inDB {
		return fmt.Errorf("database %s: reading it failed: %v (in %s): run llmref check", s.path, p.value, p.site)
	}
	at := "a page bbolt read (" + p.site + ")"
	if p.addr != 0 && s.db != nil {
		at = "an address outside the file"
		if info := s.db.Info(); p.addr >= info.Data {
			if page := uint64(p.addr-info.Data) / uint64(info.PageSize); page < pages {
				at = "page " + strconv.FormatUint(page, 10)
			}
		}
	} else if m := pageInPanic.FindStringSubmatch(fmt.Sprint(p.value)); m != nil {
		at = "page " + m[1]
	}
	return &CorruptError{Path: s.path, At: at, Detail: fmt.Sprint(p.value)}
}
