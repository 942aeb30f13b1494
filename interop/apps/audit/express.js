// An express-session app with a login, a logout and /me, for sessctl audit:
// REGENERATE=1 calls req.session.regenerate() at login (else the common
// mistake: the id from before login is signed in), DESTROY=1 calls
// req.session.destroy() at logout (else it only clears the cookie). PORT and
// SECRET from the environment; binds 127.0.0.1; /_truth answers the pid.
const express = require('express');
const session = require('express-session');
const app = express();
app.use(express.urlencoded({ extended: false }));
app.use(session({
    secret: process.env.SECRET || 'sessionTesting',
    resave: false,
    saveUninitialized: true,
    cookie: { sameSite: 'lax' },
}));

app.get('/', (req, res) => {
    req.session.visitCount = (req.session.visitCount || 0) + 1;
    res.status(req.session.visitCount === 1 ? 201 : 200).send(req.session);
});
app.post('/login', (req, res, next) => {
    const done = () => { req.session.user = req.body.user; res.send({ user: req.session.user }); };
    if (process.env.REGENERATE === '1') {
        req.session.regenerate((err) => (err ? next(err) : done()));
    } else {
        done();
    }
});
app.post('/logout', (req, res, next) => {
    if (process.env.DESTROY === '1') {
        req.session.destroy((err) => {
            if (err) return next(err);
            res.clearCookie('connect.sid');
            res.send({ logged_out: true });
        });
    } else {
        res.clearCookie('connect.sid');
        res.send({ logged_out: true });
    }
});
app.get('/me', (req, res) => {
    if (!req.session.user) return res.status(401).send({ error: 'not signed in' });
    res.send({ user: req.session.user });
});
app.get('/_truth', (req, res) => res.send({ pid: process.pid }));

app.listen(Number(process.env.PORT || 3000), '127.0.0.1');
