// Express with express-session and connect-redis, the documented setup
// (RedisStore with a node-redis client): GET / counts visits exactly as the
// express-session reference example does, POST /login (regenerate, as the
// docs advise), GET /logout (destroy); /_truth counts requests. PORT, SECRET,
// REDIS_URL and PREFIX (the store's key prefix, default "sess:") from the
// environment; binds 127.0.0.1.
const express = require('express');
const session = require('express-session');
const { RedisStore } = require('connect-redis');
const { createClient } = require('redis');

async function main() {
    const client = createClient({ url: process.env.REDIS_URL });
    client.on('error', (err) => console.error('redis:', err.message));
    await client.connect();

    const app = express();
    app.use(session({
        store: new RedisStore({ client, prefix: process.env.PREFIX || 'sess:' }),
        secret: process.env.SECRET.split(','),
        resave: false,
        saveUninitialized: false,
    }));

    const truth = { requests: 0, created: 0, max_count: 0, pid: process.pid };
    app.get('/', (req, res) => {
        let status = 200;
        if (!req.session.sid && !req.session.visitCount) {
            req.session.sid = Math.floor(Math.random() * 10000);
            req.session.visitCount = 1;
            status = 201;
            truth.created++;
        } else {
            req.session.visitCount += 1;
        }
        truth.requests++;
        truth.max_count = Math.max(truth.max_count, req.session.visitCount);
        res.status(status).send(req.session);
    });
    app.post('/login', express.urlencoded({ extended: false }), (req, res, next) => {
        req.session.regenerate((err) => {
            if (err) return next(err);
            req.session.user = req.body.user;
            res.send(req.session);
        });
    });
    app.get('/logout', (req, res, next) => {
        req.session.destroy((err) => {
            if (err) return next(err);
            res.clearCookie('connect.sid').send({ logged_out: true });
        });
    });
    app.get('/_truth', (req, res) => res.send(truth));

    app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
}

main().catch((err) => { console.error(err); process.exit(1); });
