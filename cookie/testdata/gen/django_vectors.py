#!/usr/bin/python3
"""Make cookie/testdata/django/vectors.json with Debian's python3-django.

Run with the system Python (Debian's python3-django 3.2.25):
/usr/bin/python3 cookie/testdata/gen/django_vectors.py
Session values come from the real signed_cookies session backend
(SessionStore.save -> session_key), plain values from django.core.signing.
Django 3.2 signs with SHA256 by default and with SHA1 when
DEFAULT_HASHING_ALGORITHM = "sha1" (the 3.1-3.2 transition setting), which
gives the legacy vectors.
"""
import base64, datetime, json, os, sys

import django
from django.conf import settings

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "django", "vectors.json")
SECRET = "django-insecure-k3y-for-sessctl-vectors"

settings.configure(SECRET_KEY=SECRET, SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
                   INSTALLED_APPS=["django.contrib.sessions"])
django.setup()

from django.core import signing
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test.utils import override_settings

vectors = []
SALT = "django.contrib.sessions.backends.signed_cookies"


def issued(value):
    ts = value.rsplit(":", 2)[1]
    from django.utils.baseconv import base62
    n = int(base62.decode(ts))
    return datetime.datetime.fromtimestamp(n, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add(name, value, secrets, signature, payload, secret_index=-1, fields=None, note="", cookie_name="sessionid"):
    v = {"name": name, "cookie_name": cookie_name, "value": value, "secrets": secrets,
         "format": "django", "signature": signature, "payload": payload,
         "issued_at": issued(value), "secret_index": secret_index}
    if fields:
        v["fields"] = fields
    if note:
        v["note"] = note
    vectors.append(v)


def session(data, secret=SECRET):
    with override_settings(SECRET_KEY=secret):
        s = SessionStore()
        s.update(data)
        s.save()
        value = s.session_key
        # Round trip through the backend: the payload is what Django loads.
        loaded = SessionStore(session_key=value).load()
    assert loaded == data, (loaded, data)
    return value, loaded


value, p = session({"_auth_user_id": "7", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                    "_auth_user_hash": "5f4dcc3b5aa765d61d8327deb882cf99a1b2c3d4e5f60718293a4b5c6d7e8f90"})
add("session-sha256", value, [SECRET], "valid", p, 0,
    fields={"algorithm": "HMAC-SHA256", "salt": SALT})
add("no-secret", value, [], "unverified", p)
add("wrong-secret", value, ["django-insecure-wrong", "s3cr3t"], "invalid", p)
b64, ts, sig = value.rsplit(":", 2)
forged = base64.urlsafe_b64encode(json.dumps({"_auth_user_id": "1"}, separators=(",", ":")).encode()).decode().rstrip("=")
add("tampered", forged + ":" + ts + ":" + sig, [SECRET], "invalid", {"_auth_user_id": "1"},
    note="payload swapped, signature kept")

value, p = session({"greeting": "Grüß Gott", "name": "Zoë", "kanji": "日本語", "emoji": "🍪"})
add("unicode", value, [SECRET], "valid", p, 0)

value, p = session({"cart": [{"sku": "B-%03d" % i, "qty": i % 5} for i in range(150)], "blob": "y" * 400})
assert value.startswith(".")
add("large-compressed", value, [SECRET], "valid", p, 0, fields={"compression": "zlib"})

with override_settings(DEFAULT_HASHING_ALGORITHM="sha1"):
    value, p = session({"legacy": True, "visits": 3})
add("legacy-sha1", value, [SECRET], "valid", p, 0, fields={"algorithm": "HMAC-SHA1 (Django < 3.1)"})

value, p = session({"user": "rotated"}, secret="older-secret-key")
add("rotation", value, [SECRET, "older-secret-key"], "valid", p, 1)

value = signing.dumps({"order": 1234, "ok": True})
add("signing-dumps", value, [SECRET], "valid", signing.loads(value), 0, cookie_name="",
    fields={"salt": "django.core.signing"})
value = signing.dumps(["a", "list", 3], compress=True)
add("signing-dumps-list", value, [SECRET], "valid", signing.loads(value), 0, cookie_name="")

# HttpResponse.set_signed_cookie: the value as is, keyed with
# "django.http.cookies" + SECRET_KEY and salted with the cookie name.
from django.http import HttpResponse, HttpRequest
r = HttpResponse()
r.set_signed_cookie("theme", "dark-mode.v2")
value = r.cookies["theme"].coded_value  # as sent in Set-Cookie
assert value == r.cookies["theme"].value
req = HttpRequest()
req.COOKIES["theme"] = value
assert req.get_signed_cookie("theme") == "dark-mode.v2"
add("set-signed-cookie", value, [SECRET], "valid", "dark-mode.v2", 0, cookie_name="theme",
    fields={"salt": "theme", "kind": "signed cookie (set_signed_cookie): the value as is"})

# Published: Django tests/signing/tests.py test_dumps_loads_legacy_signature
# (SECRET_KEY from tests/test_sqlite.py), checked here with Django 3.2.
pub = "ImEgc3RyaW5nIFx1MjAyMCI:1k1beT:ZfNhN1kdws7KosUleOvuYroPHEc"
with override_settings(SECRET_KEY="django_tests_secret_key"):
    assert signing.loads(pub) == "a string \u2020"
add("django-tests-legacy", pub, ["django_tests_secret_key"], "valid", "a string \u2020", 0, cookie_name="",
    note="published in Django's tests/signing/tests.py")


def shared_schema(v):
    """The schema of cookie/testdata/<format>/vectors.json that the cookie
    and cmd tests share: desc, name (the cookie's), value, secrets, want."""
    want = {k: v[k] for k in ("format", "signature", "secret_index", "payload", "issued_at", "expires_at", "fields")
            if k in v}
    out = {"desc": v["name"], "name": v["cookie_name"], "value": v["value"], "secrets": v["secrets"], "want": want}
    if v.get("note"):
        out["note"] = v["note"]
    return out


with open(OUT, "w") as f:
    f.write("[\n" + ",\n".join(json.dumps(shared_schema(v), ensure_ascii=False) for v in vectors) + "\n]\n")
print("wrote %d vectors to %s (Django %s)" % (len(vectors), os.path.normpath(OUT), django.get_version()),
      file=sys.stderr)
