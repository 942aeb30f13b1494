#!/usr/bin/python3
"""Makes Flask, itsdangerous and Django cookies with Debian's real
libraries, signed a given number of seconds ago, and says whether the
framework itself still accepts each now. Run with the system Python:
    /usr/bin/python3 interop/make-python-cookies.py < requests.json
Input: [{id, framework: flask|django, secret, payload, age_s, salt?,
tags?}]; salt None is the framework's session salt; tags (Flask) adds
values of every TaggedJSONSerializer tag. Output: {id: {value, accepted,
payload}}: accepted is what Flask's session interface (max_age
PERMANENT_SESSION_LIFETIME, 31 days) or Django's signing.loads under the
same salt (max_age SESSION_COOKIE_AGE, 2 weeks, for the session salt)
decides; payload is the session as the framework loads it, in JSON terms.
"""
import datetime
import json
import sys
import time
import uuid

import django
from django.conf import settings

settings.configure(SECRET_KEY="replaced-per-request", INSTALLED_APPS=["django.contrib.sessions"],
                   SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
django.setup()

import flask
import itsdangerous
from django.core import signing
from markupsafe import Markup

SESSION_SALT = "django.contrib.sessions.backends.signed_cookies"
real_time = time.time


class at:
    """Runs the block with time.time() age seconds in the past."""

    def __init__(self, age):
        self.age = age

    def __enter__(self):
        now = real_time() - self.age
        time.time = lambda: now

    def __exit__(self, *a):
        time.time = real_time


def plain(v):
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, bytes):
        try:
            return v.decode("utf-8")
        except UnicodeDecodeError:
            import base64
            return base64.b64encode(v).decode("ascii")
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.datetime):
        return v.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(v, Markup):
        return str(v)
    return v


def flask_cookie(r):
    app = flask.Flask("make")
    app.secret_key = r["secret"]
    s = app.session_interface.get_signing_serializer(app)
    if r.get("salt"):
        s = itsdangerous.URLSafeTimedSerializer(r["secret"], salt=r["salt"], serializer=s.serializer,
                                                signer_kwargs=s.signer_kwargs)
    payload = dict(r["payload"])
    if r.get("tags"):
        payload.update({"t": (1, "two"), "b": b"bytes", "bin": b"\xff\x00\x01", "u": uuid.UUID(int=0x1234),
                        "d": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
                        "m": Markup("<b>hi</b>"), " t": "a key like a tag"})
    with at(r["age_s"]):
        value = s.dumps(payload)
    max_age = app.permanent_session_lifetime.total_seconds()
    try:
        loaded = s.loads(value, max_age=max_age)
        return {"value": value, "accepted": True, "payload": plain(loaded)}
    except itsdangerous.BadSignature as e:
        return {"value": value, "accepted": False, "error": str(e)}


def django_cookie(r):
    salt = r.get("salt") or SESSION_SALT
    with settings_secret(r["secret"]):
        with at(r["age_s"]):
            value = signing.dumps(r["payload"], salt=salt, compress=True,
                                  serializer=signing.JSONSerializer)
        max_age = settings.SESSION_COOKIE_AGE if salt == SESSION_SALT else None
        try:
            # The session backend loads with its own salt: a value signed
            # with another is refused as a session.
            loaded = signing.loads(value, salt=SESSION_SALT, max_age=settings.SESSION_COOKIE_AGE,
                                   serializer=signing.JSONSerializer)
            return {"value": value, "accepted": True, "payload": loaded}
        except signing.BadSignature as e:
            return {"value": value, "accepted": False, "error": str(e)}


class settings_secret:
    def __init__(self, secret):
        self.secret = secret

    def __enter__(self):
        self.old = settings.SECRET_KEY
        settings.SECRET_KEY = self.secret

    def __exit__(self, *a):
        settings.SECRET_KEY = self.old


out = {}
for r in json.load(sys.stdin):
    out[r["id"]] = flask_cookie(r) if r["framework"] == "flask" else django_cookie(r)
json.dump(out, sys.stdout)
