// The reference Express example (express-app.js) with connect-redis as its
// session store: express + express-session + connect-redis + redis, the
// layout serve-demo --store redis:// shares. Settings: PORT (default 3000),
// SECRET (default "sessionTesting", comma-separated to rotate), REDIS_URL
// (default redis://127.0.0.1:6379/0), COOKIE (express-session's cookie
// options as JSON, e.g. {"maxAge":3600000,"sameSite":"lax"}). Binds 127.0.0.1.
const express = require('express');
const session = require('express-session');
const { RedisStore } = require('connect-redis');
const { createClient } = require('redis');

async function main() {
    const client = createClient({ url: process.env.REDIS_URL || 'redis://127.0.0.1:6379/0' });
    client.on('error', (err) => console.error('redis:', err.message));
    await client.connect();

    const app = express();
    app.use(session({
        store: new RedisStore({ client }),
        secret: (process.env.SECRET || 'sessionTesting').split(','),
        resave: true,
        saveUninitialized: true,
        cookie: process.env.COOKIE ? JSON.parse(process.env.COOKIE) : undefined,
    }));

    const getRandomInt = (max) => Math.floor(Math.random() * Math.floor(max));
    app.get('/', (req, res) => {
        if (!req.session.sid && !req.session.visitCount) {
            req.session.sid = getRandomInt(10000);
            req.session.visitCount = 1;
            res.status(201).send(req.session);
        } else {
            req.session.visitCount += 1;
            res.status(200).send(req.session);
        }
    });

    const port = Number(process.env.PORT || 3000);
    app.listen(port, '127.0.0.1', () => {
        console.log(`listening on http://127.0.0.1:${port}/`);
    });
}

main().catch((err) => { console.error(err); process.exit(1); });
