"""Reads Flask session cookies with Flask's own code: one cookie value a
line on stdin, one JSON line out: {"payload": ..., "issued_at": unix} or
{"error": ...}. /usr/bin/python3 verify.py SECRET_KEY
"""
import json
import sys

from flask import Flask

app = Flask(__name__)
app.secret_key = sys.argv[1]
serializer = app.session_interface.get_signing_serializer(app)
max_age = int(app.permanent_session_lifetime.total_seconds())

for line in sys.stdin:
    value = line.strip()
    try:
        payload, ts = serializer.loads(value, max_age=max_age, return_timestamp=True)
        out = {"payload": payload, "issued_at": int(ts.timestamp())}
    except Exception as e:  # the framework's refusal, named
        out = {"error": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out), flush=True)
