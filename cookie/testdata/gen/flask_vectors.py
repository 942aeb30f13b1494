#!/usr/bin/python3
"""Make cookie/testdata/flask/vectors.json with Debian's python3-flask.

Run with the system Python (Debian's python3-flask 2.2.2, itsdangerous
2.1.2): /usr/bin/python3 cookie/testdata/gen/flask_vectors.py
Every value is a real Flask session cookie, made by the app's own
SecureCookieSessionInterface serializer (salt cookie-session, HMAC key
derivation, SHA1, TaggedJSONSerializer). The expected payload is the
session as the library loads it, in the JSON shape sessctl shows: tuples as
arrays, UTF-8 bytes as strings, UUIDs in 8-4-4-4-12 form, datetimes as
RFC 3339, Markup as its string.
"""
import base64, datetime, json, os, sys, time, uuid

import flask
from flask import Flask
from markupsafe import Markup
import itsdangerous

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "flask", "vectors.json")
LEGACY_EPOCH = 1293840000  # itsdangerous <= 0.24 counted from 2011-01-01


def serializer(secret, fallbacks=()):
    app = Flask("vectors")
    app.secret_key = secret
    s = app.session_interface.get_signing_serializer(app)
    if fallbacks:
        # itsdangerous >= 2.0 key rotation: oldest first, signs with the last.
        s = itsdangerous.URLSafeTimedSerializer(
            list(fallbacks) + [secret], salt="cookie-session",
            serializer=s.serializer, signer_kwargs=s.signer_kwargs)
    return s


def plain(v):
    if isinstance(v, tuple) or isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, Markup):
        return str(v)
    return v


def issued(value, legacy=False):
    ts = value.rsplit(".", 2)[1]
    n = int.from_bytes(itsdangerous.encoding.base64_decode(ts), "big")
    if legacy:
        n += LEGACY_EPOCH
    return datetime.datetime.fromtimestamp(n, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


vectors = []


def add(name, value, secrets, signature, payload, secret_index=-1, legacy=False, fields=None, note=""):
    v = {"name": name, "cookie_name": "session", "value": value, "secrets": secrets,
         "format": "flask", "signature": signature, "payload": payload,
         "issued_at": issued(value, legacy), "secret_index": secret_index}
    if fields:
        v["fields"] = fields
    if note:
        v["note"] = note
    vectors.append(v)


def made(secret, session, **kw):
    s = serializer(secret, **kw)
    value = s.dumps(session)
    # Round trip through the library: the payload is what Flask loads.
    loaded = serializer(secret, **kw).loads(value)
    return value, plain(loaded)


value, p = made("s3cr3t", {"logged_in": True, "user_id": 42, "username": "alice"})
add("simple", value, ["s3cr3t"], "valid", p, 0, fields={"compression": "none", "timestamp_epoch": "unix"})
add("no-secret", value, [], "unverified", p)
add("wrong-secret", value, ["not-the-secret", "hunter2"], "invalid", p)
payload_part = value.split(".")[0]
forged = base64.urlsafe_b64encode(b'{"logged_in":true,"user_id":1,"username":"admin"}').decode().rstrip("=")
add("tampered", forged + value[len(payload_part):], ["s3cr3t"], "invalid",
    {"logged_in": True, "user_id": 1, "username": "admin"}, note="payload swapped, signature kept")

value, p = made("s3cr3t", {"name": "Zoë Ångström", "city": "東京", "emoji": "🍪"})
add("unicode", value, ["s3cr3t"], "valid", p, 0)

value, p = made("s3cr3t", {"_permanent": True, "cart": [{"sku": "A-%03d" % i, "qty": i} for i in range(120)],
                           "blob": "x" * 300})
assert value.startswith(".")
add("large-compressed", value, ["s3cr3t"], "valid", p, 0, fields={"compression": "zlib"})

value, p = made("dev", {"t": (1, 2, "three"), "b": b"raw bytes",
                        "u": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                        "d": datetime.datetime(2024, 2, 29, 12, 30, 0, tzinfo=datetime.timezone.utc),
                        "m": Markup("<b>hi</b>"), " t": "one-key dict colliding with a tag"})
add("tagged-json", value, ["dev"], "valid", p, 0)

value, p = made("new-key", {"user": "bob"}, fallbacks=("old-key",))
add("rotation-newest", value, ["old-key", "new-key"], "valid", p, 1)
value, p = made("old-key", {"user": "carol"})
add("rotation-older", value, ["new-key", "old-key"], "valid", p, 1)

# Legacy itsdangerous (<= 0.24): timestamps counted from 2011-01-01. The
# signer is the real one; only its clock is set back by the old epoch.
class LegacySigner(itsdangerous.TimestampSigner):
    def get_timestamp(self):
        return int(time.time()) - LEGACY_EPOCH

s = serializer("legacy-secret")
s.signer = LegacySigner
value = s.dumps({"csrf_token": "0123abcd", "old": True})
p = plain(s.loads(value))
add("legacy-epoch", value, ["legacy-secret"], "valid", p, 0, legacy=True,
    fields={"timestamp_epoch": "2011-01-01 (itsdangerous < 1.0)"})

# Published: Flask-Unsign README (secret CHANGEME).
for v, p in [("eyJsb2dnZWRfaW4iOmZhbHNlfQ.XDuWxQ.E2Pyb6x3w-NODuflHoGnZOEpbH8", {"logged_in": False}),
             ("eyJsb2dnZWRfaW4iOnRydWV9.XDuW-g.cPCkFmmeB7qNIcN-ReiN72r0hvU", {"logged_in": True})]:
    assert serializer("CHANGEME").loads(v, max_age=None) == p
    add("flask-unsign-readme-" + str(p["logged_in"]).lower(), v, ["CHANGEME"], "valid", p, 0,
        note="published in the Flask-Unsign README, checked here with Flask")


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
print("wrote %d vectors to %s (Flask %s, itsdangerous %s)" % (
    len(vectors), os.path.normpath(OUT), flask.__version__, itsdangerous.__version__), file=sys.stderr)
