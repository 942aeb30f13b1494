// The reference Express example (shared/reference/seed-express-sessions.md),
// unmodified but for its settings: PORT (default 3000), SECRET (default
// "sessionTesting") and DELAY_MS, an await between reading and writing
// visitCount that makes its lost updates deterministic. Binds 127.0.0.1.
const express = require('express');
const session = require('express-session');
const app = express();

app.use(session({
    secret: (process.env.SECRET || 'sessionTesting').split(','),
    resave: true,
    saveUninitialized: true,
}));

const getRandomInt = (max) => Math.floor(Math.random() * Math.floor(max));
const delay = Number(process.env.DELAY_MS || 0);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

app.get('/', async (req, res) => {
    if (!req.session.sid && !req.session.visitCount) {
        req.session.sid = getRandomInt(10000);
        req.session.visitCount = 1;
        res.status(201).send(req.session);
    } else {
        const seen = req.session.visitCount;
        if (delay > 0) await sleep(delay);
        req.session.visitCount = seen + 1;
        res.status(200).send(req.session);
    }
});

const port = Number(process.env.PORT || 3000);
app.listen(port, '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${port}/`);
});
