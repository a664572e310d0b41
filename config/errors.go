package config

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a configuration file: where it is (file, line,
// column) and what is wrong, in the file's own words. Msg starts with the
// key path of the setting when there is one ("review.max_facter: unknown
// setting; did you mean max_factor?").
type Error struct {
	// File is the file as given to Load; empty for Parse.
	File string
	// Line and Column are 1-based; 0 when unknown (a problem of the whole
	// file, or of a default the file does not mention).
	Line, Column int
	// Path is the setting's key path ("serve.schedules[0].spec"); empty
	// for a problem of the whole file.
	Path string
	// Msg is the problem, starting with Path when there is one.
	Msg string
}

// Error is "file:line:column: msg", the form editors and compilers use.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.File != "":
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
			if e.Column > 0 {
				fmt.Fprintf(&b, ":%d", e.Column)
			}
		}
		b.WriteString(": ")
	case e.Line > 0 && e.Column > 0:
		fmt.Fprintf(&b, "line %d, column %d: ", e.Line, e.Column)
	case e.Line > 0:
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors are the problems found in one file, in the file's order.
type Errors []*Error

// maxReported bounds the problems one error text lists: a file that is
// wrong everywhere still gives one readable line.
const maxReported = 10

// Error lists the problems, one a line.
func (es Errors) Error() string {
	lines := make([]string, 0, min(len(es), maxReported)+1)
	for i, e := range es {
		if i == maxReported {
			lines = append(lines, fmt.Sprintf("(and %d more problems)", len(es)-maxReported))
			break
		}
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

// sortErrors puts problems in the file's order; those without a place
// come last, in the order they were found.
func sortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// at is a problem with the setting at path, placed at node n.
func at(n *yaml.Node, path, format string, args ...any) *Error {
	e := &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
	if path != "" {
		e.Msg = path + ": " + e.Msg
	}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	return e
}

// plainKey is a key that joins a path with a dot; any other is written
// ["key"].
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// keyPath is the path of key under parent, as messages write it:
// review.max_factor, sources.bedrock.models["Llama 3.2 1B"].
func keyPath(parent, key string) string {
	switch {
	case !plainKey.MatchString(key):
		return parent + "[" + strconv.Quote(key) + "]"
	case parent == "":
		return key
	}
	return parent + "." + key
}

// indexPath is the path of a list's i-th item: serve.schedules[0].
func indexPath(parent string, i int) string {
	return parent + "[" + strconv.Itoa(i) + "]"
}

// pathSeg is one step of a key path: a mapping key or a list index.
type pathSeg struct {
	key   string
	index int // when key is ""
}

// leadingPath reads the key path a message starts with, as keyPath and
// indexPath write it, followed by ":" or " (" (a table's "(source acme)").
// It returns nil when the message starts with no path.
func leadingPath(msg string) (string, []pathSeg) {
	i := 0
	var segs []pathSeg
	ident := func() string {
		j := i
		for j < len(msg) && (msg[j] == '_' || msg[j] == '-' || msg[j] >= 'a' && msg[j] <= 'z' || msg[j] >= 'A' && msg[j] <= 'Z' || msg[j] >= '0' && msg[j] <= '9') {
			j++
		}
		s := msg[i:j]
		i = j
		return s
	}
	first := ident()
	if first == "" {
		return "", nil
	}
	segs = append(segs, pathSeg{key: first})
	for i < len(msg) {
		switch msg[i] {
		case '.':
			i++
			k := ident()
			if k == "" {
				return "", nil
			}
			segs = append(segs, pathSeg{key: k})
			continue
		case '[':
			rest := msg[i+1:]
			if q, err := strconv.QuotedPrefix(rest); err == nil && strings.HasPrefix(rest[len(q):], "]") {
				k, _ := strconv.Unquote(q)
				segs = append(segs, pathSeg{key: k})
				i += 1 + len(q) + 1
				continue
			}
			end := strings.IndexByte(rest, ']')
			n, err := strconv.Atoi(rest[:max(end, 0)])
			if end < 1 || err != nil || n < 0 {
				return "", nil
			}
			segs = append(segs, pathSeg{index: n})
			i += 1 + end + 1
			continue
		case ':':
			return msg[:i], segs
		case ' ':
			if strings.HasPrefix(msg[i:], " (") {
				return msg[:i], segs
			}
		}
		return "", nil
	}
	return "", nil
}

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// locate places a problem whose message starts with a key path at that
// setting's value in the file, or at the deepest part of the path the file
// has (a missing setting is placed at its parent). A path the file does
// not mention at all (a default) gets no place.
func locate(doc *yaml.Node, msg string) *Error {
	path, segs := leadingPath(msg)
	e := &Error{Path: path, Msg: msg}
	n := doc
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var found *yaml.Node
	for _, s := range segs {
		n = deref(n)
		var next *yaml.Node
		switch {
		case n == nil:
		case s.key != "" && n.Kind == yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == s.key {
					next = n.Content[i+1]
				}
			}
		case s.key == "" && n.Kind == yaml.SequenceNode && s.index < len(n.Content):
			next = n.Content[s.index]
		}
		if next == nil {
			break
		}
		n, found = next, next
	}
	if found != nil {
		e.Line, e.Column = found.Line, found.Column
	}
	return e
}

// syntaxError turns a YAML parser error into a placed one. yaml.v3 gives
// only a line (and none for the first line); a tab in the indentation and
// bytes that are not text are placed to the column.
func syntaxError(data []byte, err error) *Error {
	if line, col, what := notText(data); line > 0 {
		return &Error{Line: line, Column: col, Msg: "not a YAML text file: " + what}
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0 // yaml.v3 leaves the line out when it is the first
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
	}
	// yaml.v3 counts a scanner's lines from 1 but a parser's from 0; the
	// parser's line is where the construct it was reading starts (a flow
	// list's "["), or the problem's when that is the first line.
	if parserProblem.MatchString(msg) || line == 0 {
		line++
	}
	switch msg {
	case "did not find expected ',' or ']'":
		msg = "a [ list is not closed (" + msg + ")"
	case "did not find expected ',' or '}'":
		msg = "a { mapping is not closed (" + msg + ")"
	case "found unexpected end of stream": // yaml.v3 says it of a quoted string only
		msg = "a quoted string that starts here is not closed (" + msg + ")"
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	line = min(line, len(lines)) // the end of the text is on its last line
	if line <= len(lines) {
		text := lines[line-1]
		indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
		if tab := strings.IndexByte(indent, '\t'); tab >= 0 {
			return &Error{Line: line, Column: tab + 1, Msg: "a tab in the indentation; YAML indents with spaces only"}
		}
	}
	return &Error{Line: line, Msg: "not valid YAML: " + msg}
}

var (
	yamlLine      = regexp.MustCompile(`^line (\d+): `)
	parserProblem = regexp.MustCompile(`^(did not find expected|found duplicate %|found incompatible YAML document|found undefined tag handle)`)
)

// notText finds the first byte YAML refuses as text: invalid UTF-8 or a
// control character other than tab, CR and LF.
func notText(data []byte) (line, col int, what string) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, col, fmt.Sprintf("byte 0x%02x is not UTF-8", data[i])
		case r == '\n':
			line, col = line+1, 0
		case r == 0xFEFF && i == 0: // a byte-order mark
		case r < 0x20 && r != '\t' && r != '\r', r == 0x7f, r >= 0x80 && r < 0xa0 && r != 0x85:
			return line, col, fmt.Sprintf("control character %U", r)
		}
		i += size
		col++
	}
	return 0, 0, ""
}

// closest is the candidate nearest to word, for a "did you mean": within a
// few edits (case, - and _ aside), or "".
func closest(word string, candidates []string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	w := norm(word)
	limit := 1
	switch n := utf8.RuneCountInString(w); {
	case n > 8:
		limit = n / 3
	case n > 4:
		limit = 2
	}
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := editDistance(w, norm(c)); d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" {
		return best
	}
	// An abbreviation or a longer spelling: the one candidate that shares
	// the word's first few letters (params → parameters).
	var prefixed []string
	for _, c := range candidates {
		if p := commonPrefix(w, norm(c)); p >= 4 && 2*p >= len(w) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	return ""
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// editDistance counts the insertions, deletions, substitutions and
// swaps of two neighbours that turn a into b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		if a == b {
			return 0
		}
		return max(len(ra), len(rb))
	}
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
