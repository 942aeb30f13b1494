"""Flask's documented session setup (SECRET_KEY, the default
SecureCookieSessionInterface): GET / counts visits as the express-session
reference example does, POST /login, GET /logout; /_truth counts requests.

Run with Debian's Flask: /usr/bin/python3 app.py PORT (SECRET_KEY in $SECRET).
"""
import os
import random
import sys
import threading

from flask import Flask, jsonify, request, session

app = Flask(__name__)
app.secret_key = os.environ["SECRET"]

truth = {"requests": 0, "created": 0, "max_count": 0, "pid": os.getpid()}
lock = threading.Lock()


@app.get("/")
def index():
    if "sid" not in session and "visitCount" not in session:
        session["sid"] = random.randrange(10000)
        session["visitCount"] = 1
        status = 201
    else:
        session["visitCount"] += 1
        status = 200
    with lock:
        truth["requests"] += 1
        truth["created"] += status == 201
        truth["max_count"] = max(truth["max_count"], session["visitCount"])
    return jsonify(dict(session)), status


@app.post("/login")
def login():
    session["user"] = request.form["user"]
    return jsonify(dict(session))


@app.get("/logout")
def logout():
    session.clear()
    return jsonify({"logged_out": True})


@app.get("/_truth")
def show_truth():
    with lock:
        return jsonify(truth)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
