// The reference Express example (express-app.js) with the npm cookie-session
// instead of express-session: the session lives in the `session` cookie
// (base64 JSON) signed in `session.sig` (keygrip, HMAC-SHA1), what
// serve-demo --mode cookie keeps. Settings: PORT (default 3000), KEYS
// (default "sessionTesting", comma-separated: the first signs). Binds
// 127.0.0.1.
const express = require('express');
const cookieSession = require('cookie-session');

const app = express();
app.use(cookieSession({
    name: 'session',
    keys: (process.env.KEYS || 'sessionTesting').split(','),
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
