package hostilesuite

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"
	"testing"
)

// mib is the unit of the bombs: each deflate block the server repeats
// decodes to one MiB of zeros.
const mib = 1 << 20

// bombMiB is the decoded size of every bomb: 2 GiB, as in issue 12.
const bombMiB = 2048

// deflateParts are the pieces of a raw deflate stream of zeros, compressed
// once (a few KiB): head decodes to the first MiB, each repetition of
// block to one more (its matches reach back into zeros only), and tail
// ends the stream. Streams of any size are written from them on the fly;
// compressing 2 GiB anew per request would take the server ~15 s of CPU.
var deflateParts = sync.OnceValue(func() (p struct{ head, block, tail []byte }) {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		panic(err)
	}
	zeros := make([]byte, mib)
	take := func() []byte { b := bytes.Clone(buf.Bytes()); buf.Reset(); return b }
	fw.Write(zeros)
	fw.Flush() // ends the block on a byte boundary
	p.head = take()
	fw.Write(zeros)
	fw.Flush()
	p.block = take()
	fw.Close()
	p.tail = take()
	return p
})

// deflateSize is the wire size of a raw deflate stream of n MiB of zeros.
func deflateSize(n int) int64 {
	p := deflateParts()
	return int64(len(p.head)) + int64(n-1)*int64(len(p.block)) + int64(len(p.tail))
}

// writeDeflate writes a raw deflate stream of n MiB of zeros (n ≥ 1), or
// of zeros without end when n is 0, until w fails.
func writeDeflate(w io.Writer, n int) error {
	p := deflateParts()
	if _, err := w.Write(p.head); err != nil {
		return err
	}
	for i := 1; n == 0 || i < n; i++ {
		if _, err := w.Write(p.block); err != nil {
			return err
		}
	}
	_, err := w.Write(p.tail)
	return err
}

// gzipHeader is a minimal gzip member header (RFC 1952): no name, no time.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// writeGzip writes a gzip file of n MiB of zeros, trailer included.
func writeGzip(w io.Writer, n int) error {
	if _, err := w.Write(gzipHeader); err != nil {
		return err
	}
	if err := writeDeflate(w, n); err != nil {
		return err
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], zerosCRC32(n))
	binary.LittleEndian.PutUint32(trailer[4:], uint32(int64(n)*mib))
	_, err := w.Write(trailer[:])
	return err
}

// gzipSize is writeGzip's wire size.
func gzipSize(n int) int64 { return int64(len(gzipHeader)) + deflateSize(n) + 8 }

// zerosCRC32 is the CRC-32 of n MiB of zeros.
func zerosCRC32(n int) uint32 {
	zeros := make([]byte, mib)
	var sum uint32
	for range n {
		sum = crc32.Update(sum, crc32.IEEETable, zeros)
	}
	return sum
}

// writeZlib writes a zlib stream (RFC 1950) of n MiB of zeros.
func writeZlib(w io.Writer, n int) error {
	if _, err := w.Write([]byte{0x78, 0xda}); err != nil { // deflate, 32 KiB window, best compression
		return err
	}
	if err := writeDeflate(w, n); err != nil {
		return err
	}
	// Adler-32 of zeros: a stays 1, b adds a once per byte.
	b := uint32((int64(n) * mib) % 65521)
	_, err := w.Write(binary.BigEndian.AppendUint32(nil, b<<16|1))
	return err
}

// writeGzipOverZlib writes a "deflate, gzip" body: the zlib stream of n MiB
// of zeros, gzipped as it is written.
func writeGzipOverZlib(w io.Writer, n int) error {
	zw := gzip.NewWriter(w)
	if err := writeZlib(zw, n); err != nil {
		return err
	}
	return zw.Close()
}

// emptyGzipMember decodes to nothing: a stream of them never grows the
// decoded body, only the wire.
var emptyGzipMember = func() []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Close()
	return buf.Bytes()
}()

// TestBombsAreValid decodes a 64 MiB bomb of each construction to its end:
// every byte is zero, the size is exact and the container's checksum (the
// gzip CRC-32, the zlib Adler-32) holds, so the 2 GiB ones the suite
// serves are real bombs, not streams a decoder rejects early.
func TestBombsAreValid(t *testing.T) {
	const n = 64
	cases := []struct {
		name  string
		write func(io.Writer, int) error
		open  func(io.Reader) (io.Reader, error)
	}{
		{"raw deflate", writeDeflate, func(r io.Reader) (io.Reader, error) { return flate.NewReader(r), nil }},
		{"gzip", writeGzip, func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		{"zlib", writeZlib, func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }},
		{"gzip over zlib", writeGzipOverZlib, func(r io.Reader) (io.Reader, error) {
			g, err := gzip.NewReader(r)
			if err != nil {
				return nil, err
			}
			return zlib.NewReader(g)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(c.write(pw, n)) }()
			r, err := c.open(pr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.Copy(zeroChecker{t}, r)
			if err != nil || got != n*mib {
				t.Errorf("decoded %d bytes (%v); want %d", got, err, n*mib)
			}
			pr.Close()
		})
	}
	var wire countWriter
	if err := writeGzip(&wire, n); err != nil || wire.n != gzipSize(n) {
		t.Errorf("gzip: %d bytes written (%v), gzipSize says %d", wire.n, err, gzipSize(n))
	}
	if w := gzipSize(bombMiB); w > 3*mib {
		t.Errorf("a 2 GiB gzip bomb is %d bytes on the wire; want about 2 MiB", w)
	}
}

type zeroChecker struct{ t *testing.T }

func (z zeroChecker) Write(p []byte) (int, error) {
	for i, b := range p {
		if b != 0 {
			z.t.Fatalf("a non-zero byte at %d", i)
		}
	}
	return len(p), nil
}

// countWriter counts and discards what is written to it.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}
