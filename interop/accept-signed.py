#!/usr/bin/python3
"""Reads cookies sessctl signed and says what Debian's Flask and Django make
of them, and Starlette's SessionMiddleware (python3-starlette). Run with the system Python, which has python3-flask and
python3-django (the python3 on PATH may not):
    /usr/bin/python3 interop/accept-signed.py < cases.json
Input: [{id, format, name, value, secret, options}]. Output: {id: {ok,
payload} | {ok: false, error}}.

Flask: the real SecureCookieSessionInterface.open_session in a test
request carrying the cookie. Django: the signed_cookies SessionStore (its
salt), django.core.signing.loads for another salt, and
HttpRequest.get_signed_cookie for kind=signed_cookie.
"""
import json
import sys

import django
from django.conf import settings

settings.configure(SECRET_KEY="replaced-per-case", INSTALLED_APPS=["django.contrib.sessions"],
                   SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
django.setup()

import flask
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core import signing
from django.http import HttpRequest
from django.test.utils import override_settings

SESSION_SALT = "django.contrib.sessions.backends.signed_cookies"


def accept_flask(c):
    app = flask.Flask("accept")
    app.secret_key = c["secret"]
    with app.test_request_context("/", headers={"Cookie": "%s=%s" % (c["name"], c["value"])}):
        app.config["SESSION_COOKIE_NAME"] = c["name"]
        sess = app.session_interface.open_session(app, flask.request)
        if sess is None or (len(sess) == 0):
            return {"ok": False, "error": "flask: the session is empty (signature refused)"}
        return {"ok": True, "payload": dict(sess)}


def accept_django(c):
    opts = c.get("options") or {}
    with override_settings(SECRET_KEY=c["secret"]):
        if opts.get("kind") == "signed_cookie":
            req = HttpRequest()
            req.COOKIES[c["name"]] = c["value"]
            return {"ok": True, "payload": req.get_signed_cookie(c["name"])}
        salt = opts.get("salt", SESSION_SALT)
        if salt == SESSION_SALT:
            store = SessionStore(session_key=c["value"])
            data = store.load()
            if not data:
                return {"ok": False, "error": "django: SessionStore.load gave an empty session (refused)"}
            return {"ok": True, "payload": data}
        return {"ok": True, "payload": signing.loads(c["value"], salt=salt)}


def accept_starlette(c):
    """The real SessionMiddleware around an app that returns the session,
    called as an ASGI server calls it."""
    import asyncio
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    def home(request):
        return JSONResponse(dict(request.session))

    app = Starlette(routes=[Route("/", home)],
                    middleware=[Middleware(SessionMiddleware, secret_key=c["secret"], session_cookie=c["name"])])
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": "/", "raw_path": b"/", "root_path": "", "query_string": b"", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 1), "headers": [(b"cookie", c["cookie"].encode())]}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(m):
        sent.append(m)

    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    data = json.loads(body)
    if not data:
        return {"ok": False, "error": "starlette: an empty session (signature or max_age refused)"}
    return {"ok": True, "payload": data}


def main():
    out = {}
    for c in json.load(sys.stdin):
        try:
            out[c["id"]] = {"flask": accept_flask, "django": accept_django, "starlette": accept_starlette}[c["format"]](c)
        except Exception as e:  # the verdict is the output
            out[c["id"]] = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


main()
