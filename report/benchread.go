package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/sessctl/sessctl/client/bench"
)

// This file reads bench results back for bench report: what bench -o
// json prints, or a result file of bench --result, whose "result" member
// is that same document.

// maxBenchResultSize bounds a result read back: an hour of seconds and
// a result file's histogram and counter values fit.
const maxBenchResultSize = 512 << 20

// ReadBenchFile reads the bench result in the file at path ("-" reads
// stdin): what bench -o json prints, or a result file of bench --result
// ({"format": "sessctl-bench-result", ..., "result": {...}}), whose result
// it takes. Errors name the file and say what is wrong with it.
func ReadBenchFile(path string, stdin io.Reader) (*bench.Result, error) {
	data, err := readBenchData(path, stdin, maxBenchResultSize)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	res, err := DecodeBenchResult(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// readBenchData reads the file at path, or stdin for "-", refusing more
// than limit bytes and a directory.
func readBenchData(path string, stdin io.Reader, limit int64) ([]byte, error) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, errors.New("is a directory")
		}
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d MiB, not a bench result", limit>>20)
	}
	return data, nil
}

// DecodeBenchResult decodes one bench result from data: what bench -o
// json prints, or a result file (its "result" member). A document that
// is not JSON, or whose fields are not a bench result's, is an error that
// says so.
func DecodeBenchResult(data []byte) (*bench.Result, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("not a bench result: %w", jsonError(data, err))
	}
	if raw, ok := top["format"]; ok {
		var format string
		if err := json.Unmarshal(raw, &format); err != nil || format != bench.ResultFormat {
			return nil, fmt.Errorf("not a bench result: its format is %s, not %q", clip(escape(string(raw)), htmlLabelMax), bench.ResultFormat)
		}
		inner, ok := top["result"]
		if !ok {
			return nil, errors.New(`a bench result file without its "result"`)
		}
		data = inner
		top = nil
		if err := json.Unmarshal(data, &top); err != nil {
			return nil, fmt.Errorf(`its "result" is not a bench result: %w`, jsonError(data, err))
		}
	}
	for _, k := range []string{"urls", "requests", "latency_ms", "consistency"} {
		if _, ok := top[k]; !ok {
			return nil, fmt.Errorf("not a bench result (no %q): want what sessctl bench -o json prints", k)
		}
	}
	var res bench.Result
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("not a bench result: %w", jsonError(data, err))
	}
	if len(res.Series) > bench.MaxSeriesPoints {
		return nil, fmt.Errorf("not a bench result: a series of %d points, more than %d", len(res.Series), bench.MaxSeriesPoints)
	}
	return &res, nil
}

// jsonError is a decoding error with the line it happened on, where
// encoding/json says the offset.
func jsonError(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err
	}
	return fmt.Errorf("line %d: %w", bytes.Count(data[:off], []byte("\n"))+1, err)
}
