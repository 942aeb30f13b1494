package bench

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/RoaringBitmap/roaring/v2/roaring64"

	"github.com/sessctl/sessctl/client"
)

// This file holds the result file (bench --result FILE): what one agent
// writes so that Merge can give the report of the whole test, and its
// reading back with every part checked.
//
// A result file is one JSON document:
//
//	{
//	  "format": "sessctl-bench-result", "version": 1,
//	  "test_id": "5f0c...",          the test this run is a share of (Config.TestID, else a hash
//	                                 of the settings that define the whole test: see testID)
//	  "segment": {"from": 1, "to": 2, "den": 3},   this agent's [from/den, to/den); 0,1,1 for the whole test
//	  "agent": {"hostname": "h1", "pid": 42, "version": "sessctl v1.2.0 go1.26",
//	            "start": "2026-12-01T13:00:00.000123Z",   RFC 3339, UTC, nanoseconds: the load's start,
//	            "end": "...", "last_answer": "..."},     its end, the last complete response (absent: none)
//	  "thresholds": {"max_errors": "0", "max_p99": "50ms", "max_p50": "0s"},   the limits, re-checked on a merge
//	  "result": {...},               the Result exactly as bench -o json prints it: counts, errors by
//	                                 class, status and URL with a sample each, bytes, the series, and
//	                                 the check counters (result.consistency: checked, sessions_created,
//	                                 gaps, repeats, regressions, resets, id_changes, duplicates, sessions)
//	  "histogram": "HISTFAAAA...",   the run's latencies (µs, 1 µs to 1 h, 3 digits) in HdrHistogram's
//	                                 V2 compressed encoding, base64: a histogram log line's last field
//	  "seconds": [{"start": "...", "t_s": 1.0, "interval_s": 1.0,
//	               "requests": 4100, "successes": 4090, "errors": 10,
//	               "errors_by_class": {"status_5xx": 10}, "histogram": "HISTFAAA..."}],
//	                                 the series' points as counts: the interval's absolute start, its end
//	                                 in seconds since agent.start, requests finished in it (answered or
//	                                 failed), successes, errors (by class: absent when none) and its
//	                                 latencies encoded as "histogram" is (absent when none); [] never null
//	  "shared": {                    --shared only
//	    "initial_counter": 1,        what this agent's first probe read
//	    "final_counter": 12001,      what its final probe read, less the probe's own increment
//	    "final_unknown": "why",      only when the final probe could not read it
//	    "values": "OjAAAA...",       the ABSOLUTE counter values its responses carried: a
//	                                 roaring64 bitmap in the portable serialization, base64
//	    "values_count": 12000,       how many
//	    "session": "9f86d0..."       the session cookie the agent was given to continue (a
//	                                 jar's, a Cookie header's): SHA-256 of name=value, hex, 16
//	                                 bytes; absent when it was given none
//	  }
//	}
//
// Counter values are stored as uint64 (two's complement for a negative
// counter, which no real counter is): a set is all a merge needs of them.

// ResultFormat and ResultVersion name a result file's format; a reader
// refuses any other.
const (
	ResultFormat  = "sessctl-bench-result"
	ResultVersion = 1
)

// maxResultFileSize bounds what ReadResultFile reads: an hour of seconds
// with a histogram each and a bitmap of a billion counter values fit.
const maxResultFileSize = 512 << 20

// ResultFile is one agent's mergeable result (bench --result FILE); see
// the file's comment for its JSON. Read it with ReadResultFile, make it
// with Result.File.
type ResultFile struct {
	Format     string          `json:"format"`
	Version    int             `json:"version"`
	TestID     string          `json:"test_id"`
	Segment    FileSegment     `json:"segment"`
	Agent      Agent           `json:"agent"`
	Thresholds FileThresholds  `json:"thresholds"`
	Result     *Result         `json:"result"`
	Histogram  string          `json:"histogram"`
	Seconds    []FileSecond    `json:"seconds"`
	Shared     *FileSharedPart `json:"shared,omitempty"`

	// What the encoded fields hold, decoded and checked.
	path   string
	seg    Segment
	hist   *hdrhistogram.Histogram
	values *roaring64.Bitmap
}

// FileSegment is a Segment as numbers: [From/Den, To/Den).
type FileSegment struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
	Den  int64 `json:"den"`
}

// Agent is who ran a result file's share, and when (UTC).
type Agent struct {
	Hostname string `json:"hostname"`
	PID      int    `json:"pid"`
	Version  string `json:"version"`
	// Start is when the load began (after --start-at), End when it ended,
	// LastAnswer when the last complete response came (zero: none).
	Start      time.Time `json:"start"`
	End        time.Time `json:"end"`
	LastAnswer time.Time `json:"last_answer,omitzero"`
}

// FileThresholds are a run's Thresholds as bench's flags write them.
type FileThresholds struct {
	MaxErrors string `json:"max_errors"`
	MaxP99    string `json:"max_p99"`
	MaxP50    string `json:"max_p50"`
}

// String writes t as bench's flags would: "max_errors 0, max_p99 50ms,
// max_p50 0s".
func (t FileThresholds) String() string {
	return fmt.Sprintf("max_errors %s, max_p99 %s, max_p50 %s", t.MaxErrors, t.MaxP99, t.MaxP50)
}

// FileSecond is one point of the series as counts.
type FileSecond struct {
	// Start is the interval's absolute start; TS its end in seconds since
	// the agent's start (the series' t_s) and IntervalS its length.
	Start     time.Time `json:"start"`
	TS        float64   `json:"t_s"`
	IntervalS float64   `json:"interval_s"`
	// Requests finished in the interval (answered or failed), Successes
	// and Errors among them, and ErrorsByClass the errors by class as the
	// series has them (status_4xx, ...; absent when none).
	Requests      int64            `json:"requests"`
	Successes     int64            `json:"successes"`
	Errors        int64            `json:"errors"`
	ErrorsByClass map[string]int64 `json:"errors_by_class,omitempty"`
	// Histogram is the latencies of the interval, encoded as the run's
	// ("" when nothing was answered in it).
	Histogram string `json:"histogram,omitempty"`

	hist *hdrhistogram.Histogram
}

// FileSharedPart is what a --shared agent saw of the one session.
type FileSharedPart struct {
	// InitialCounter is what the agent's first probe read; FinalCounter
	// what its final probe read less that probe's own increment, as
	// Consistency has them; FinalUnknown says why it could not be read.
	InitialCounter int64  `json:"initial_counter"`
	FinalCounter   int64  `json:"final_counter"`
	FinalUnknown   string `json:"final_unknown,omitempty"`
	// Values are the absolute counter values the agent's responses
	// carried (a roaring64 bitmap, portable serialization, base64), and
	// ValuesCount how many.
	Values      string `json:"values"`
	ValuesCount uint64 `json:"values_count"`
	// Session is a digest of the session cookie the agent was given to
	// continue (SHA-256 of name=value, hex, 16 bytes; "" when none): a
	// merge refuses agents that loaded different sessions.
	Session string `json:"session,omitempty"`
}

// runRecord is what a Result keeps for its result file beyond its JSON.
type runRecord struct {
	testID                 string
	segment                Segment
	thresholds             Thresholds
	start, end, lastAnswer time.Time
	shared                 *sharedCheck
}

// testID is the default Config.TestID: a hash of what defines the whole
// test, so that agents started with the same flags agree: the URLs, the
// method, the headers, the body's hash, -n, -c, --sessions, --rate and -d
// before segmenting, the mode, the counter and id paths and --start-at. c
// must be defaulted and not yet segmented.
func (c Config) testID() string {
	mode := ModePerSession
	switch {
	case c.CounterPath == "":
		mode = ModeNone
	case c.Shared:
		mode = ModeShared
	}
	body := sha256.Sum256(c.Body)
	start := ""
	if !c.StartAt.IsZero() {
		start = c.StartAt.UTC().Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal(struct {
		URLs        []string    `json:"urls"`
		Method      string      `json:"method"`
		Header      [][2]string `json:"header"`
		Body        string      `json:"body_sha256"`
		Requests    int64       `json:"requests"`
		Connections int         `json:"connections"`
		Sessions    int         `json:"sessions"`
		Rate        float64     `json:"rate"`
		Duration    int64       `json:"duration_ns"`
		Mode        string      `json:"mode"`
		Counter     string      `json:"counter"`
		ID          string      `json:"id"`
		StartAt     string      `json:"start_at"`
	}{c.URLs, c.Method, c.Header, hex.EncodeToString(body[:]), c.Requests, c.Concurrency, c.Sessions,
		c.Rate, int64(c.Duration), mode, c.CounterPath, c.IDPath, start})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// File makes the result file of r, a Result that Run returned, with
// version naming the sessctl that ran it; the host name and process id
// are this process's. It fails for a Result that Run did not make.
func (r *Result) File(version string) (*ResultFile, error) {
	rec := r.rec
	if rec == nil {
		return nil, errors.New("result file: not a result of Run")
	}
	host, _ := os.Hostname()
	f := &ResultFile{
		Format:  ResultFormat,
		Version: ResultVersion,
		TestID:  rec.testID,
		Agent: Agent{Hostname: host, PID: os.Getpid(), Version: version,
			Start: rec.start.UTC(), End: rec.end.UTC(), LastAnswer: utcOrZero(rec.lastAnswer)},
		Thresholds: FileThresholds{MaxErrors: rec.thresholds.MaxErrors.String(),
			MaxP99: rec.thresholds.MaxP99.String(), MaxP50: rec.thresholds.MaxP50.String()},
		Result:  r,
		Seconds: []FileSecond{},
		seg:     rec.segment,
		hist:    r.Histogram,
	}
	f.Segment = FileSegment{From: 0, To: 1, Den: 1}
	if !rec.segment.Whole() {
		f.Segment = FileSegment{From: rec.segment.From, To: rec.segment.To, Den: rec.segment.Den}
	}
	enc, err := r.Histogram.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return nil, fmt.Errorf("result file: encode the histogram: %w", err)
	}
	f.Histogram = string(enc)
	// The series' rates times their intervals give back the counts.
	count := func(rate, d float64) int64 { return int64(math.Round(rate * d)) }
	for _, p := range r.Series {
		s := FileSecond{
			Start:     rec.start.Add(time.Duration((p.TS - p.IntervalS) * float64(time.Second))).UTC(),
			TS:        p.TS,
			IntervalS: p.IntervalS,
			Requests:  count(p.RequestsPerS, p.IntervalS),
			Successes: count(p.SuccessesPerS, p.IntervalS),
			Errors:    count(p.ErrorsPerS, p.IntervalS),
		}
		if h := p.Histogram(); h != nil {
			enc, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
			if err != nil {
				return nil, fmt.Errorf("result file: encode the histogram of the second to %gs: %w", p.TS, err)
			}
			s.Histogram = string(enc)
		}
		for k, v := range p.ErrorsByClassPerS {
			if s.ErrorsByClass == nil {
				s.ErrorsByClass = map[string]int64{}
			}
			s.ErrorsByClass[k] = count(v, p.IntervalS)
		}
		f.Seconds = append(f.Seconds, s)
	}
	if rec.shared != nil {
		f.values = rec.shared.absolute()
		b, err := f.values.ToBytes()
		if err != nil {
			return nil, fmt.Errorf("result file: encode the counter values: %w", err)
		}
		c := r.Consistency
		f.Shared = &FileSharedPart{InitialCounter: c.InitialCounter, FinalCounter: c.FinalCounter, FinalUnknown: c.FinalUnknown,
			Values: base64.StdEncoding.EncodeToString(b), ValuesCount: f.values.GetCardinality(), Session: rec.shared.session}
	}
	return f, nil
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// sessionDigest is what a result file keeps of the session cookie k (nil:
// none): enough to tell two sessions apart, not to load one.
func sessionDigest(k *userCookie) string {
	if k == nil {
		return ""
	}
	sum := sha256.Sum256(slices.Concat(k.name, []byte("="), k.value))
	return hex.EncodeToString(sum[:16])
}

// absolute returns the counter values seen, as absolute values: the
// bitset holds them relative to the initial counter.
func (sc *sharedCheck) absolute() *roaring64.Bitmap {
	bm := roaring64.New()
	buf := make([]uint64, 0, 4096)
	for ci := range sc.seen.chunks {
		c := sc.seen.chunks[ci].Load()
		if c == nil {
			continue
		}
		for wi := range c {
			w := c[wi]
			for w != 0 {
				bit := int64(bits.TrailingZeros64(w))
				w &= w - 1
				i := int64(ci)<<16 | int64(wi)<<6 | bit
				buf = append(buf, uint64(sc.initial+i))
				if len(buf) == cap(buf) {
					bm.AddMany(buf)
					buf = buf[:0]
				}
			}
		}
	}
	bm.AddMany(buf)
	bm.RunOptimize()
	return bm
}

// Write writes f to path as indented JSON, atomically (client.
// WriteFileAtomic: a reader never sees half a file).
func (f *ResultFile) Write(path string) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("result file %s: %w", path, err)
	}
	if err := client.WriteFileAtomic(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Path is the file f was read from; "" for one made by Result.File.
func (f *ResultFile) Path() string { return f.path }

// ReadResultFile reads and checks the result file at path: its format and
// version, its segment, its histograms and its bitmap. Errors name path
// and what is wrong.
func ReadResultFile(path string) (*ResultFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxResultFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxResultFileSize {
		return nil, fmt.Errorf("%s: larger than %d MiB: not a result file", path, maxResultFileSize>>20)
	}
	f, err := parseResultFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.path = path
	return f, nil
}

func parseResultFile(data []byte) (*ResultFile, error) {
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(data, &head); err != nil || head.Format != ResultFormat {
		return nil, fmt.Errorf("not a sessctl bench result file (bench --result writes them; want \"format\": %q)", ResultFormat)
	}
	if head.Version != ResultVersion {
		return nil, fmt.Errorf("result file version %d: this sessctl reads version %d", head.Version, ResultVersion)
	}
	f := &ResultFile{}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("damaged result file: %w", err)
	}
	if f.Result == nil {
		return nil, errors.New("damaged result file: no \"result\"")
	}
	if f.TestID == "" {
		return nil, errors.New("damaged result file: no \"test_id\"")
	}
	s := f.Segment
	f.seg = Segment{From: s.From, To: s.To, Den: s.Den}
	if s.From == 0 && s.To == 1 && s.Den == 1 {
		f.seg = Segment{}
	} else if err := f.seg.validate(); err != nil || s.Den == 0 {
		return nil, fmt.Errorf("damaged result file: segment %d:%d/%d: want 0 <= from < to <= den", s.From, s.To, s.Den)
	}
	var err error
	if f.hist, err = decodeHistogram(f.Histogram); err != nil {
		return nil, fmt.Errorf("damaged histogram: %w", err)
	}
	if f.hist.TotalCount() > f.Result.Answered {
		return nil, fmt.Errorf("damaged histogram: %d latencies for %d answered requests", f.hist.TotalCount(), f.Result.Answered)
	}
	if f.Seconds == nil {
		f.Seconds = []FileSecond{}
	}
	for i := range f.Seconds {
		sec := &f.Seconds[i]
		if sec.Histogram == "" {
			continue
		}
		if sec.hist, err = decodeHistogram(sec.Histogram); err != nil {
			return nil, fmt.Errorf("damaged histogram of second %d (t_s %g): %w", i, sec.TS, err)
		}
	}
	if f.Shared != nil {
		if f.Result.Consistency.Mode != ModeShared {
			return nil, errors.New("damaged result file: a \"shared\" part in a run that was not --shared")
		}
		if f.values, err = decodeBitmap(f.Shared.Values); err != nil {
			return nil, fmt.Errorf("damaged counter bitmap: %w", err)
		}
		if n := f.values.GetCardinality(); n != f.Shared.ValuesCount {
			return nil, fmt.Errorf("damaged counter bitmap: %d values, values_count says %d", n, f.Shared.ValuesCount)
		}
	} else if f.Result.Consistency.Mode == ModeShared {
		return nil, errors.New("damaged result file: a --shared run without its \"shared\" part")
	}
	if _, err := f.thresholds(); err != nil {
		return nil, fmt.Errorf("damaged result file: thresholds: %w", err)
	}
	return f, nil
}

// thresholds reads f's threshold definitions back.
func (f *ResultFile) thresholds() (Thresholds, error) {
	var t Thresholds
	var err error
	if t.MaxErrors, err = ParseErrorLimit(f.Thresholds.MaxErrors); err != nil {
		return t, err
	}
	if t.MaxP99, err = time.ParseDuration(f.Thresholds.MaxP99); err != nil {
		return t, fmt.Errorf("max_p99: %w", err)
	}
	if t.MaxP50, err = time.ParseDuration(f.Thresholds.MaxP50); err != nil {
		return t, fmt.Errorf("max_p50: %w", err)
	}
	return t, nil
}

// maxHistogramInflated bounds a histogram's decompressed encoding: one
// of sessctl's layout takes at most 9 bytes for each of its 25k counts.
const maxHistogramInflated = 1 << 20

// decodeHistogram decodes s, HdrHistogram's V2 compressed encoding in
// base64, into a histogram of sessctl's layout. hdrhistogram-go's Decode
// trusts its input (it panics on a short one and allocates what the
// header asks), so the header is checked first and a panic is an error.
func decodeHistogram(s string) (h *hdrhistogram.Histogram, err error) {
	s = strings.TrimSpace(s)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	if err := checkHistogramHeader(raw); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			h, err = nil, fmt.Errorf("not a valid HdrHistogram encoding (%v)", r)
		}
	}()
	h, err = hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("not a valid HdrHistogram encoding: %w", err)
	}
	snap := h.Export()
	if snap.LowestTrackableValue != histLowest || snap.HighestTrackableValue != histHighest || snap.SignificantFigures != histDigits {
		return nil, fmt.Errorf("layout %d..%d, %d digits: sessctl records 1..%d µs, %d digits",
			snap.LowestTrackableValue, snap.HighestTrackableValue, snap.SignificantFigures, histHighest, histDigits)
	}
	for _, c := range snap.Counts {
		if c < 0 {
			return nil, errors.New("a negative count")
		}
	}
	return h, nil
}

// checkHistogramHeader checks that raw, an encoded histogram, inflates to
// at most maxHistogramInflated bytes and has sessctl's layout.
func checkHistogramHeader(raw []byte) error {
	if len(raw) < 8 {
		return errors.New("too short for HdrHistogram's encoding")
	}
	if cookie := int32(binary.BigEndian.Uint32(raw)) &^ 0xf0; cookie != hdrhistogram.V2CompressedEncodingCookieBase {
		return errors.New("not HdrHistogram's V2 compressed encoding")
	}
	n := int64(binary.BigEndian.Uint32(raw[4:]))
	if n > int64(len(raw)-8) {
		return errors.New("truncated")
	}
	z, err := zlib.NewReader(bytes.NewReader(raw[8 : 8+n]))
	if err != nil {
		return fmt.Errorf("not zlib: %w", err)
	}
	in, err := io.ReadAll(io.LimitReader(z, maxHistogramInflated+1))
	if err != nil {
		return fmt.Errorf("not zlib: %w", err)
	}
	if len(in) > maxHistogramInflated || len(in) < 40 {
		return fmt.Errorf("%d bytes inflated: not a histogram of sessctl's", len(in))
	}
	digits := int32(binary.BigEndian.Uint32(in[12:]))
	lowest := int64(binary.BigEndian.Uint64(in[16:]))
	highest := int64(binary.BigEndian.Uint64(in[24:]))
	if lowest != histLowest || highest != histHighest || digits != histDigits {
		return fmt.Errorf("layout %d..%d, %d digits: sessctl records 1..%d µs, %d digits",
			lowest, highest, digits, histHighest, histDigits)
	}
	return nil
}

// decodeBitmap decodes s, a roaring64 bitmap's portable serialization in
// base64.
func decodeBitmap(s string) (bm *roaring64.Bitmap, err error) {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	defer func() {
		if r := recover(); r != nil {
			bm, err = nil, fmt.Errorf("not a roaring64 bitmap (%v)", r)
		}
	}()
	// ReadFrom allocates what the leading count says: bound it by the
	// input, where each 32-bit bitmap takes more than 8 bytes.
	if len(raw) < 8 || binary.LittleEndian.Uint64(raw) > uint64(len(raw)/8) {
		return nil, errors.New("not a roaring64 bitmap: a bad count of containers")
	}
	bm = roaring64.New()
	r := bytes.NewReader(raw)
	if _, err := bm.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("not a roaring64 bitmap: %w", err)
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("not a roaring64 bitmap: %d bytes past its end", r.Len())
	}
	if err := bm.Validate(); err != nil {
		return nil, fmt.Errorf("not a valid roaring64 bitmap: %w", err)
	}
	return bm, nil
}
