// A cookie-session app with a login, a logout (req.session = null) and /me,
// for sessctl audit. PORT and SECRET from the environment; binds 127.0.0.1;
// /_truth answers the pid.
const express = require('express');
const cookieSession = require('cookie-session');
const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(cookieSession({ name: 'session', keys: [process.env.SECRET || 'sessionTesting'], sameSite: 'lax' }));

app.get('/', (req, res) => {
    req.session.visitCount = (req.session.visitCount || 0) + 1;
    res.status(req.session.visitCount === 1 ? 201 : 200).send(req.session);
});
app.post('/login', (req, res) => { req.session.user = req.body.user; res.send({ user: req.session.user }); });
app.post('/logout', (req, res) => { req.session = null; res.send({ logged_out: true }); });
app.get('/me', (req, res) => {
    if (!req.session.user) return res.status(401).send({ error: 'not signed in' });
    res.send({ user: req.session.user });
});
app.get('/_truth', (req, res) => res.send({ pid: process.pid }));

app.listen(Number(process.env.PORT || 3000), '127.0.0.1');
