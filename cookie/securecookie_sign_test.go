package cookie

import (
	"crypto/sha512"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gorilla/securecookie"
)

// TestSignAcceptedBySecurecookie: the real gorilla/securecookie decodes
// what Sign makes, gob (into gorilla/sessions' map[interface{}]interface{},
// visitCount an int as an application stores it) and JSON, with and
// without a block key; and refuses it under another hash key.
func TestSignAcceptedBySecurecookie(t *testing.T) {
	n := 0
	for _, tt := range signTests(t) {
		if tt.format != "securecookie" {
			continue
		}
		n++
		t.Run(tt.name, func(t *testing.T) {
			cs, err := Sign("securecookie", SignRequest{Name: tt.cookie, Payload: json.RawMessage(tt.payload), Options: tt.opts, Key: tt.key})
			if err != nil {
				t.Fatal(err)
			}
			codec := func(hash []byte) *securecookie.SecureCookie {
				sc := securecookie.New(hash, tt.key.EncKey)
				if tt.opts["digest"] == "sha512" {
					sc.HashFunc(sha512.New)
				}
				if tt.opts["serialization"] == "json" {
					sc.SetSerializer(securecookie.JSONEncoder{})
				}
				return sc
			}
			var got any
			if tt.opts["serialization"] == "json" {
				var m map[string]any
				err = codec(tt.key.Secret).Decode(cs[0].Name, cs[0].Value, &m)
				got = m
			} else {
				values := map[any]any{}
				err = codec(tt.key.Secret).Decode(cs[0].Name, cs[0].Value, &values)
				if c, ok := values["visitCount"]; ok && reflect.TypeOf(c) != reflect.TypeOf(0) {
					t.Errorf("visitCount is a %T, want int", c)
				}
				got = jsonable(values)
			}
			if err != nil {
				t.Fatalf("securecookie.Decode: %v", err)
			}
			if !payloadIs(t, got, tt.payload) {
				b, _ := json.Marshal(got)
				t.Errorf("securecookie reads %s, want %s", b, tt.payload)
			}
			var dst map[string]any
			if err := codec([]byte("another hash key")).Decode(cs[0].Name, cs[0].Value, &dst); err == nil {
				t.Errorf("another hash key decodes it")
			}
		})
	}
	if n < 3 {
		t.Fatalf("%d securecookie cases", n)
	}
}
