package cookie

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// SignDoc is one cookie to sign as a PAYLOAD document gives it: decode's
// view of a cookie (format, name, payload, options, expires_at), or a bare
// payload, whose Format and Name are then empty.
type SignDoc struct {
	Format    string
	Name      string
	Payload   json.RawMessage
	Options   map[string]string
	ExpiresAt *time.Time
}

// ParseSignDocument reads what sessctl sign is given: the document decode
// -o json writes (its array, or one element of it), or decode -o jsonl's
// lines, edited or not, or a bare JSON payload. An object with both "format" and "payload" keys is
// read as a decode element; an array of such objects as decode's document;
// any other JSON value is the payload itself.
func ParseSignDocument(data []byte) ([]SignDoc, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, errors.New("empty payload: want JSON")
	}
	if !json.Valid(data) {
		if docs, ok, err := jsonLines(data); ok {
			return docs, err
		}
		var v any
		err := json.Unmarshal(data, &v)
		return nil, fmt.Errorf("payload is not JSON: %v", err)
	}
	switch data[0] {
	case '{':
		if isDecodeElement(data) {
			d, err := signDocOf(data)
			if err != nil {
				return nil, err
			}
			return []SignDoc{d}, nil
		}
	case '[':
		var elems []json.RawMessage
		if json.Unmarshal(data, &elems) == nil && len(elems) > 0 && allDecodeElements(elems) {
			docs := make([]SignDoc, 0, len(elems))
			for i, e := range elems {
				d, err := signDocOf(e)
				if err != nil {
					return nil, fmt.Errorf("element %d: %w", i, err)
				}
				docs = append(docs, d)
			}
			return docs, nil
		}
	}
	return []SignDoc{{Payload: json.RawMessage(data)}}, nil
}

// jsonLines reads one decode element a line (decode -o jsonl); ok is
// false when data is not in that shape.
func jsonLines(data []byte) (docs []SignDoc, ok bool, err error) {
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if !isDecodeElement(line) {
			return nil, false, nil
		}
		d, err := signDocOf(line)
		if err != nil {
			return nil, true, fmt.Errorf("line %d: %w", i+1, err)
		}
		docs = append(docs, d)
	}
	return docs, len(docs) > 0, nil
}

func allDecodeElements(elems []json.RawMessage) bool {
	for _, e := range elems {
		if !isDecodeElement(e) {
			return false
		}
	}
	return true
}

// isDecodeElement reports whether b is a JSON object with "format" and
// "payload" keys, as every element of decode's document has.
func isDecodeElement(b []byte) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	_, f := m["format"]
	_, p := m["payload"]
	return f && p
}

func signDocOf(b []byte) (SignDoc, error) {
	var e struct {
		Format    string            `json:"format"`
		Name      string            `json:"name"`
		Payload   json.RawMessage   `json:"payload"`
		Options   map[string]string `json:"options"`
		ExpiresAt *time.Time        `json:"expires_at"`
		Error     string            `json:"error"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		return SignDoc{}, fmt.Errorf("not decode's JSON: %v", err)
	}
	if e.Error != "" || e.Format == "unknown" {
		return SignDoc{}, fmt.Errorf("decode could not read this cookie (%s): nothing to sign", e.Error)
	}
	if p := bytes.TrimSpace(e.Payload); len(p) == 0 || string(p) == "null" {
		return SignDoc{}, fmt.Errorf("%s %q: payload is null (decode it with its secret to see the payload)", e.Format, e.Name)
	}
	return SignDoc{Format: e.Format, Name: e.Name, Payload: e.Payload, Options: e.Options, ExpiresAt: e.ExpiresAt}, nil
}
