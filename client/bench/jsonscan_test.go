package bench

import (
	"testing"
)

func TestJSONPathLookup(t *testing.T) {
	tests := []struct {
		path, body, want string
		ok               bool
	}{
		{"visitCount", `{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":2}`, "2", true},
		{"sid", `{"cookie":{"path":"/"},"sid":1234,"visitCount":2}`, "1234", true},
		{"a.b.c", ` { "x" : [1, {"b": 2}, "}"], "a": {"b": {"c": 42 } } }`, "42", true},
		{"a.b", `{"a": {"b": "id-\"x\""}}`, `"id-\"x\""`, true},
		{"a.b", `{"a": 3}`, "", false},
		{"n", `{"m": 1}`, "", false},
		{"n", `[1, 2]`, "", false},
		{"n", `not json`, "", false},
		{"n", `{"n":`, "", false},
		{"k\u00e9", `{"k\u00e9": 5}`, "5", true}, // escaped key: encoding/json
		{"n", `{"n": -3, "o": 1}`, "-3", true},
	}
	for _, tt := range tests {
		got, ok := parseJSONPath(tt.path).lookup([]byte(tt.body))
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("lookup(%q, %s) = %s, %v; want %s, %v", tt.path, tt.body, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseCounter(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12", 12, true}, {"-4", -4, true}, {`"7"`, 7, true}, {"3.0", 3, true}, {"1e3", 1000, true},
		{"3.5", 0, false}, {"null", 0, false}, {`"x"`, 0, false}, {"", 0, false}, {"-", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseCounter([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseCounter(%s) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestJSONPathCache(t *testing.T) {
	p := parseJSONPath("visitCount")
	var c pathCache
	for _, body := range []string{
		`{"cookie":{"path":"/"},"sid":1234,"visitCount":1}`,
		`{"cookie":{"path":"/"},"sid":1234,"visitCount":2}`,
		`{"cookie":{"path":"/"},"sid":1234,"visitCount":10}`,
		`{"cookie":{"path":"/"},"sid":99,"visitCount":11}`,
		`{"cookie":{"path":"/"},"sid":99,"visitCount":"12"}`,
		`{"cookie":{"path":"/"},"sid":99,"visitCount":`,
		`{"cookie":{"path":"/"},"sid":99,"visitCount":{"n":1}}`,
		`{"cookie":{"path":"/"},"sid":99,"visitCount":[1,2]}`,
		`{"cookie":{"path":"/"},"sid":99,"visitCount":13}`,
		`{"k\u00e9":1, "visitCount": 14}`,
		`{"k\u00e9":1, "visitCount": 15}`,
	} {
		want, wantOK := p.lookup([]byte(body))
		got, ok := p.lookupCached([]byte(body), &c)
		if ok != wantOK || string(got) != string(want) {
			t.Errorf("%s: cached %s %v, uncached %s %v", body, got, ok, want, wantOK)
		}
	}
}

func FuzzJSONPathLookup(f *testing.F) {
	f.Add("visitCount", `{"cookie":{"path":"/"},"sid":1234,"visitCount":2}`, `{"cookie":{"path":"/"},"sid":1234,"visitCount":3}`)
	f.Add("a.b", `{"a": {"b": [1, "x"]}}`, `{"a": {"b": 7}}`)
	f.Fuzz(func(t *testing.T, path, body1, body2 string) {
		p := parseJSONPath(path)
		var c pathCache
		for _, b := range []string{body1, body2} {
			want, wantOK := p.lookup([]byte(b))
			got, ok := p.lookupCached([]byte(b), &c)
			if ok != wantOK || string(got) != string(want) {
				t.Fatalf("%q in %q: cached %q %v, uncached %q %v", path, b, got, ok, want, wantOK)
			}
		}
	})
}

func BenchmarkJSONPathLookup(b *testing.B) {
	body := []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":2}`)
	p := parseJSONPath("visitCount")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.lookup(body); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkJSONPathLookupCached(b *testing.B) {
	body := []byte(`{"cookie":{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"},"sid":1234,"visitCount":2}`)
	p := parseJSONPath("visitCount")
	var c pathCache
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := p.lookupCached(body, &c); !ok {
			b.Fatal("not found")
		}
	}
}
