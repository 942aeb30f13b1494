package cookie

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
)

// TestSecurecookieFreshCookies decodes many cookies made just now by the
// real gorilla/securecookie, each with a fresh random IV, as a
// gorilla/sessions CookieStore writes its Values. With the block key every
// one must be decrypted (never taken for plain gob because its bytes
// parse); without it none may be shown as plain; with a hash key only,
// every one is plain.
func TestSecurecookieFreshCookies(t *testing.T) {
	registerGob() // as gorilla/sessions registers []interface{} for flashes
	hk := []byte("hash-key-0123456789abcdef-32byte")
	bk := []byte("block-key-0123456789abcdef-32byt")
	const n = 300
	for _, tt := range []struct {
		desc  string
		block []byte
		json  bool
	}{
		{"hash+block, gob", bk, false},
		{"hash+block aes128, gob", bk[:16], false},
		{"hash+block, json", bk, true},
		{"hash only, gob", nil, false},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			codec := securecookie.New(hk, tt.block)
			bad := 0
			for i := 0; i < n && bad < 5; i++ {
				values := map[any]any{"count": i, "user": "alice", "_flash": []any{"saved"}}
				want := fmt.Sprintf(`{"_flash":["saved"],"count":%d,"user":"alice"}`, i)
				var v any = values
				if tt.json {
					codec.SetSerializer(securecookie.JSONEncoder{})
					v = map[string]any{"count": i, "user": "alice", "_flash": []any{"saved"}}
				}
				value, err := codec.Encode("session", v)
				if err != nil {
					t.Fatal(err)
				}
				in := Input{Name: "session", Value: value}
				keys := Keys{Secrets: [][]byte{hk}}
				if tt.block != nil {
					keys.EncKeys = [][]byte{tt.block}
				}
				d, err := SecureCookie{}.Decode(in, keys)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := json.Marshal(d.Payload)
				encrypted := fieldValue(d.Fields, "encryption")
				if d.Signature != Valid || !jsonEqual(got, json.RawMessage(want)) ||
					(tt.block != nil) != strings.HasPrefix(encrypted, "AES-") || (tt.block != nil) == hasWarning(d, "client-readable") {
					bad++
					t.Errorf("cookie %d: %s %s, encryption %q, warnings %q", i, d.Signature, got, encrypted, d.Warnings)
				}
				if tt.block == nil {
					continue
				}
				// Without the block key: never shown as plain.
				d, _ = SecureCookie{}.Decode(in, Keys{Secrets: [][]byte{hk}})
				if d.Payload != nil || hasWarning(d, "client-readable") || !strings.HasPrefix(fieldValue(d.Fields, "encryption"), "encrypted (AES-CTR) or gob") {
					bad++
					got, _ := json.Marshal(d.Payload)
					t.Errorf("cookie %d without --enc-key: payload %s, fields %v, warnings %q", i, got, d.Fields, d.Warnings)
				}
				// A wrong block key: the MAC verifies, decryption fails, and
				// it says which key to check.
				d, _ = SecureCookie{}.Decode(in, Keys{Secrets: [][]byte{hk}, EncKeys: [][]byte{[]byte("wrong-block-key-0123456789abcdef")}})
				if d.Signature != Valid || d.Payload != nil || !hasWarning(d, WarnDecryptFailed) {
					bad++
					t.Errorf("cookie %d with a wrong --enc-key: %s, payload %v, warnings %q", i, d.Signature, d.Payload, d.Warnings)
				}
			}
		})
	}
}
