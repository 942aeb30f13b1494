package cookie

import "testing"

func TestIsSessionName(t *testing.T) {
	for name, want := range map[string]bool{
		"connect.sid": true, "sessionid": true, "PHPSESSID": true, "JSESSIONID": true, "koa.sess": true,
		"laravel_session": true, "_app_session": true, "sid": true, "user_sid": true, "SID": true,
		"theme": false, "sidebar": false, "csrftoken": false, "consid": false, "": false,
	} {
		if got := IsSessionName(name); got != want {
			t.Errorf("IsSessionName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestSessionID(t *testing.T) {
	for value, want := range map[string]string{
		"s%3Aabc.def":  "abc",
		"s:abc.d.ef":   "abc.d",
		"s:.sig":       "s:.sig",
		"plainvalue":   "plainvalue",
		"s%3Anodot":    "s%3Anodot",
		"9f86d081884c": "9f86d081884c",
	} {
		if got := SessionID(value); got != want {
			t.Errorf("SessionID(%q) = %q, want %q", value, got, want)
		}
	}
}

func TestDecodeBase64(t *testing.T) {
	for in, want := range map[string]string{
		"aGk/Pz8+": "hi???>", "aGk_Pz8-": "hi???>", "aGk_Pz8+": "hi???>", "aGk": "hi", "aGk=": "hi",
	} {
		got, err := DecodeBase64(in)
		if err != nil || string(got) != want {
			t.Errorf("DecodeBase64(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := DecodeBase64("a*b"); err == nil {
		t.Error("DecodeBase64(\"a*b\"): no error")
	}
}

func TestUnpadPKCS7(t *testing.T) {
	for _, tt := range []struct {
		in   []byte
		want string
		ok   bool
	}{
		{[]byte("abc\x05\x05\x05\x05\x05"), "abc", true},
		{[]byte("abcdefg\x01"), "abcdefg", true},
		{[]byte("abc\x05\x05\x04\x05\x05"), "", false},
		{[]byte("abcdefg\x00"), "", false},
		{[]byte("abcdefg\x11"), "", false},
		{nil, "", false},
	} {
		got, ok := unpadPKCS7(tt.in, 16)
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("unpadPKCS7(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
