package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"

	"github.com/llmref/llmref/catalog"
)

// A run's change set is stored gzip-compressed (schema 4). A first run's
// lists every model and offering — 37,695 changes and 17 MB of JSON on the
// 8,000-page benchmark site — and is encoded change by change into the
// compressor, so neither the whole JSON nor encoding/json's growing buffer
// of it is held inside the commit; a quiet night's is a few hundred bytes
// either way. A set stored before schema 4 is plain JSON: both read.

// maxChangeSetJSON bounds a stored change set once decompressed: far above
// any run's (a first run over 100,000 offerings), far below what a damaged
// record could make a reader allocate.
const maxChangeSetJSON = 1 << 30

// encodeChangeSet writes cs as gzip-compressed JSON, the same JSON
// encoding/json gives the set.
func encodeChangeSet(cs *catalog.ChangeSet) ([]byte, error) {
	var buf bytes.Buffer
	w := gzWriters.Get().(*gzip.Writer)
	defer gzWriters.Put(w)
	w.Reset(&buf)
	at, err := json.Marshal(cs.At)
	if err != nil {
		return nil, fmt.Errorf("encode change set of run %d: %w", cs.Run, err)
	}
	fmt.Fprintf(w, `{"run":%d,"at":%s,"changes":`, cs.Run, at)
	if cs.Changes == nil {
		io.WriteString(w, "null")
	} else {
		io.WriteString(w, "[")
		var b []byte
		for i := range cs.Changes {
			if i > 0 {
				io.WriteString(w, ",")
			}
			b = cs.Changes[i].AppendJSON(b[:0]) // as json.Marshal writes it
			w.Write(b)
		}
		io.WriteString(w, "]")
	}
	io.WriteString(w, "}")
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encode change set of run %d: %w", cs.Run, err)
	}
	return buf.Bytes(), nil
}

// decodeChangeSet reads a stored change set, compressed or (before schema
// 4) plain.
func decodeChangeSet(v []byte, cs *catalog.ChangeSet) error {
	if len(v) < 2 || v[0] != 0x1f || v[1] != 0x8b { // not gzip's magic: plain JSON
		return json.Unmarshal(v, cs)
	}
	r, err := gzip.NewReader(bytes.NewReader(v))
	if err != nil {
		return err
	}
	defer r.Close()
	// Decoded as it is decompressed: the JSON is never held whole.
	lr := &io.LimitedReader{R: r, N: maxChangeSetJSON}
	dec := json.NewDecoder(lr)
	err = dec.Decode(cs)
	if err == nil {
		// Read to the end: the stream's checksum is checked there, and
		// nothing may follow the set.
		if _, err = dec.Token(); err == io.EOF {
			return nil
		} else if err == nil {
			err = errors.New("data after the change set")
		}
	}
	if lr.N == 0 {
		return errors.New("larger than 1 GiB decompressed")
	}
	return err
}
