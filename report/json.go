package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// writeJSON writes v to w as one JSON document, the way every -o json
// document is written: indented by two spaces, <, > and & as they are
// (json.Marshal would escape them for HTML), ending in a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// prettyJSON is v as writeJSON writes it, without the final newline, for a
// text view; v as it is when it cannot be written as JSON.
func prettyJSON(v any) string {
	var buf bytes.Buffer
	if err := writeJSON(&buf, v); err != nil {
		if raw, ok := v.(json.RawMessage); ok {
			return string(raw)
		}
		return fmt.Sprint(v)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// writeJSONLine writes v to w as one JSON object on one line (-o jsonl),
// <, > and & as they are.
func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
