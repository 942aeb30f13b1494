package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// writeJSON writes v to w as one JSON document, the way every -o json
// document is written: indented by two spaces, <, > and & as they are
// (json.Marshal would escape them for HTML), DEL and C1 controls escaped
// (escapeJSONControls), ending in a newline.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONControls(buf.Bytes()))
	return err
}

// escapeJSONControls writes DEL and the C1 controls (U+0080 to U+009F),
// which encoding/json leaves as they are, as \u escapes: the same string
// to a JSON reader, and nothing a terminal acts on. In encoded JSON they
// can only be inside strings.
func escapeJSONControls(b []byte) []byte {
	if !bytes.ContainsAny(b, "\x7f\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087\u0088\u0089\u008a\u008b\u008c\u008d\u008e\u008f"+
		"\u0090\u0091\u0092\u0093\u0094\u0095\u0096\u0097\u0098\u0099\u009a\u009b\u009c\u009d\u009e\u009f") {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == 0x7f:
			out = append(out, `\u007f`...)
		case b[i] == 0xc2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9f:
			out = fmt.Appendf(out, `\u%04x`, b[i+1])
			i++
		default:
			out = append(out, b[i])
		}
	}
	return out
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
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONControls(buf.Bytes()))
	return err
}
