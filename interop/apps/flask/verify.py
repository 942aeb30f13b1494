"""Reads Flask session cookies with Flask's own code: one cookie value a
line on stdin, one JSON line out: {"payload": ..., "issued_at": unix} or
{"error": ...}. /usr/bin/python3 verify.py SECRET_KEY

With "old DAYS" after the secret it instead signs one session as Flask
would have DAYS days ago (the clock moved back), and prints the cookie value.
"""
import json
import random
import sys
import time

from flask import Flask

app = Flask(__name__)
app.secret_key = sys.argv[1]
serializer = app.session_interface.get_signing_serializer(app)
max_age = int(app.permanent_session_lifetime.total_seconds())

if sys.argv[2:3] == ["old"]:
    now = time.time()
    time.time = lambda: now - float(sys.argv[3]) * 86400
    print(serializer.dumps({"sid": random.randrange(10000), "visitCount": 1}))
    sys.exit(0)

for line in sys.stdin:
    value = line.strip()
    try:
        payload, ts = serializer.loads(value, max_age=max_age, return_timestamp=True)
        out = {"payload": payload, "issued_at": int(ts.timestamp())}
    except Exception as e:  # the framework's refusal, named
        out = {"error": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out), flush=True)
