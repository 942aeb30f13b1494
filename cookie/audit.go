package cookie

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// AuditResult is the outcome of a wordlist search for one input's secret.
// Secret is the wordlist line that verifies: it is a finding (a weak
// secret), so, unlike the secrets the user gives, it is shown.
type AuditResult struct {
	Found          bool    `json:"found"`
	Secret         string  `json:"secret,omitempty"`
	Line           int64   `json:"line,omitempty"`
	Candidates     int64   `json:"candidates"`
	ElapsedMS      float64 `json:"elapsed_ms"`
	CandidatesPerS float64 `json:"candidates_per_s"`
	Workers        int     `json:"workers"`
}

// auditBatch is how many wordlist lines one worker takes at a time.
const auditBatch = 2048

type auditChunk struct {
	first int64 // line number of lines[0], 1-based
	lines [][]byte
	buf   []byte
}

// Audit reads candidate secrets from r, one a line (a trailing "\r" is
// dropped), and tries each against t on workers goroutines (runtime.NumCPU()
// when workers <= 0), each with its own Clone of t. It stops at the first
// candidate that verifies or when ctx is done. The file is streamed: memory
// does not grow with it.
func Audit(ctx context.Context, t Target, r io.Reader, workers int) (AuditResult, error) {
	return AuditWith(ctx, t, r, AuditOptions{Workers: workers})
}

// AuditOptions configure AuditWith.
type AuditOptions struct {
	// Workers is the number of goroutines; 0 means runtime.NumCPU().
	Workers int
	// Size is the wordlist's length in bytes, for the progress's estimate
	// of what is left; 0 means unknown.
	Size int64
	// Progress, when not nil, is called about every ProgressEvery while the
	// search runs, from a goroutine of its own, and once more at its end
	// with Done set.
	Progress func(AuditProgress)
}

// ProgressEvery is how often AuditWith reports its progress.
const ProgressEvery = 250 * time.Millisecond

// AuditProgress is how far a wordlist search has come.
type AuditProgress struct {
	// Tried counts the candidates tried, ReadBytes the bytes of the
	// wordlist read, of Size (0: unknown).
	Tried     int64
	ReadBytes int64
	Size      int64
	Elapsed   time.Duration
	Done      bool
}

// Rate is the candidates tried per second so far.
func (p AuditProgress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Tried) / p.Elapsed.Seconds()
}

// Remaining estimates the time left from the share of the wordlist read;
// 0 when the size is unknown or nothing was read yet.
func (p AuditProgress) Remaining() time.Duration {
	if p.Size <= 0 || p.ReadBytes <= 0 || p.ReadBytes >= p.Size {
		return 0
	}
	return time.Duration(float64(p.Elapsed) * float64(p.Size-p.ReadBytes) / float64(p.ReadBytes))
}

// AuditWith is Audit with options: progress reports and the wordlist's
// size for their estimate.
func AuditWith(ctx context.Context, t Target, r io.Reader, opts AuditOptions) (AuditResult, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	res := AuditResult{Workers: workers}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	chunks := make(chan *auditChunk, workers*2)
	free := sync.Pool{New: func() any { return &auditChunk{buf: make([]byte, 0, 64*auditBatch)} }}
	var (
		tried    atomic.Int64
		once     sync.Once
		found    []byte
		foundAt  int64
		wg       sync.WaitGroup
		readErr  error
		readLine int64
	)
	for w := 0; w < workers; w++ {
		tw := t
		if w > 0 {
			tw = t.Clone()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				if ctx.Err() != nil {
					continue // drain
				}
				for i, line := range c.lines {
					if i&63 == 63 && ctx.Err() != nil {
						// Slow targets (Rails' PBKDF2) stop within 64
						// candidates, not a whole chunk.
						tried.Add(int64(i))
						break
					}
					if tw.Try(line) {
						once.Do(func() {
							found = bytes.Clone(line)
							foundAt = c.first + int64(i)
							cancel()
						})
						tried.Add(int64(i + 1))
						break
					}
					if i == len(c.lines)-1 {
						tried.Add(int64(len(c.lines)))
					}
				}
				c.lines = c.lines[:0]
				c.buf = c.buf[:0]
				free.Put(c)
			}
		}()
	}

	var readBytes atomic.Int64
	progress := func(done bool) {
		opts.Progress(AuditProgress{Tried: tried.Load(), ReadBytes: readBytes.Load(), Size: opts.Size,
			Elapsed: time.Since(start), Done: done})
	}
	stopProgress := make(chan struct{})
	var progressDone sync.WaitGroup
	if opts.Progress != nil {
		progressDone.Add(1)
		go func() {
			defer progressDone.Done()
			tick := time.NewTicker(ProgressEvery)
			defer tick.Stop()
			for {
				select {
				case <-tick.C:
					progress(false)
				case <-stopProgress:
					return
				}
			}
		}()
	}

	br := bufio.NewReaderSize(r, 256<<10)
	c := free.Get().(*auditChunk)
	c.first = 1
	send := func() bool {
		if len(c.lines) == 0 {
			return true
		}
		select {
		case chunks <- c:
		case <-ctx.Done():
			return false
		}
		next := free.Get().(*auditChunk)
		next.first = readLine + 1
		c = next
		return true
	}
	for ctx.Err() == nil {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: keep it whole.
			long := bytes.Clone(line)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) > 0 {
			readLine++
			readBytes.Add(int64(len(line)))
			line = bytes.TrimSuffix(line, []byte("\n"))
			line = bytes.TrimSuffix(line, []byte("\r"))
			// Lines are copied into the chunk's buffer; the slices are
			// fixed up once the chunk is full, as the buffer may move.
			off := len(c.buf)
			c.buf = append(c.buf, line...)
			c.lines = append(c.lines, c.buf[off:len(c.buf):len(c.buf)])
			if len(c.lines) == auditBatch {
				fixLines(c)
				if !send() {
					break
				}
			}
		}
		if err != nil {
			if err != io.EOF {
				readErr = fmt.Errorf("read wordlist line %d: %w", readLine+1, err)
			}
			break
		}
	}
	if readErr == nil && ctx.Err() == nil {
		fixLines(c)
		send()
	}
	close(chunks)
	wg.Wait()
	close(stopProgress)
	progressDone.Wait()
	if opts.Progress != nil {
		progress(true)
	}

	el := time.Since(start)
	res.Candidates = tried.Load()
	res.ElapsedMS = float64(el.Microseconds()) / 1000
	if el > 0 {
		res.CandidatesPerS = float64(res.Candidates) / el.Seconds()
	}
	if found != nil {
		res.Found, res.Secret, res.Line = true, string(found), foundAt
		return res, nil
	}
	if readErr != nil {
		return res, readErr
	}
	if err := ctx.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return res, err
	}
	return res, nil
}

// fixLines re-points c.lines into c.buf after appends may have moved it.
func fixLines(c *auditChunk) {
	off := 0
	for i, l := range c.lines {
		n := len(l)
		c.lines[i] = c.buf[off : off+n : off+n]
		off += n
	}
}

// macState computes HMACs with keys that change on every call, without
// allocating: the pads and sums live in the state, one state per goroutine.
// crypto/hmac allocates a new hash pair for each key, which caps a wordlist
// search at a few hundred thousand candidates/s.
type macState struct {
	h     hash.Hash
	bs    int
	pad   []byte // ipad then opad
	kbuf  []byte
	inner []byte
	outer []byte
}

func newMacState(newHash func() hash.Hash) *macState {
	h := newHash()
	bs := h.BlockSize()
	return &macState{
		h: h, bs: bs,
		pad:   make([]byte, 2*bs),
		kbuf:  make([]byte, 0, h.Size()),
		inner: make([]byte, 0, h.Size()),
		outer: make([]byte, 0, h.Size()),
	}
}

// hashByName returns the constructor for "sha1", "sha256", "sha384" and
// "sha512".
func hashByName(name string) func() hash.Hash {
	switch name {
	case "sha1":
		return sha1.New
	case "sha256":
		return sha256.New
	case "sha384":
		return sha512.New384
	case "sha512":
		return sha512.New
	}
	return nil
}

// mac returns HMAC(key, msg...); the result is valid until the next call.
func (m *macState) mac(key []byte, msg ...[]byte) []byte {
	h := m.h
	if len(key) > m.bs {
		h.Reset()
		h.Write(key)
		key = h.Sum(m.kbuf[:0])
	}
	ipad, opad := m.pad[:m.bs], m.pad[m.bs:]
	n := copy(ipad, key)
	clear(ipad[n:])
	for i := range ipad {
		opad[i] = ipad[i] ^ 0x5c
		ipad[i] ^= 0x36
	}
	h.Reset()
	h.Write(ipad)
	for _, p := range msg {
		h.Write(p)
	}
	inner := h.Sum(m.inner[:0])
	h.Reset()
	h.Write(opad)
	h.Write(inner)
	return h.Sum(m.outer[:0])
}

// macTarget is a Target whose secret signs msg with HMAC into want: the
// shape of express, keygrip, JWT HS* and securecookie signatures.
type macTarget struct {
	hashName string
	msg      []byte
	want     []byte
	m        *macState
	// For SHA-256, inner is ipad||msg and outer opad||inner-sum, laid out
	// once so each candidate costs two sha256.Sum256 calls and no copies
	// of the message.
	inner []byte
	outer [sha256.BlockSize + sha256.Size]byte
}

func newMacTarget(hashName string, msg, want []byte) *macTarget {
	t := &macTarget{hashName: hashName, msg: msg, want: want, m: newMacState(hashByName(hashName))}
	if hashName == "sha256" {
		t.inner = make([]byte, sha256.BlockSize+len(msg))
		copy(t.inner[sha256.BlockSize:], msg)
	}
	return t
}

// Try reports whether secret's HMAC of the message is the signature.
func (t *macTarget) Try(secret []byte) bool {
	if t.inner == nil || len(secret) > sha256.BlockSize {
		return subtle.ConstantTimeCompare(t.m.mac(secret, t.msg), t.want) == 1
	}
	ipad := t.inner[:sha256.BlockSize]
	opad := t.outer[:sha256.BlockSize]
	n := copy(ipad, secret)
	clear(ipad[n:])
	for i := range ipad {
		opad[i] = ipad[i] ^ 0x5c
		ipad[i] ^= 0x36
	}
	sum := sha256.Sum256(t.inner)
	copy(t.outer[sha256.BlockSize:], sum[:])
	sum = sha256.Sum256(t.outer[:])
	return subtle.ConstantTimeCompare(sum[:], t.want) == 1
}

// Clone returns a target with its own hash state.
func (t *macTarget) Clone() Target { return newMacTarget(t.hashName, t.msg, t.want) }
