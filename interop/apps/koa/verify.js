// Reads koa-session cookies with koa-session's own code: each stdin line is
// a Cookie header (koa.sess=...; koa.sess.sig=...); a Koa app with the same
// keys and options answers it in-process, and one JSON line comes out:
// {"payload": ctx.session.toJSON(), "expires_ms": _expire} or {"error": ...}
// when koa-session refuses the cookie (a new session). node verify.js SECRET
const http = require('node:http');
const readline = require('node:readline');
const Koa = require('koa');
const session = require('koa-session').default;

const app = new Koa();
app.keys = process.argv[2].split(',');
app.use(session({ key: 'koa.sess', maxAge: 86400000 }, app));
app.use((ctx) => {
    ctx.body = ctx.session.isNew
        ? { error: 'koa-session refused the cookie: a new session' }
        : { payload: ctx.session.toJSON(), expires_ms: ctx.session._expire };
});

const server = app.listen(0, '127.0.0.1', async () => {
    const { port } = server.address();
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) {
        const out = await new Promise((resolve, reject) => {
            http.get({ host: '127.0.0.1', port, path: '/', headers: { cookie: line.trim() } }, (res) => {
                let body = '';
                res.on('data', (c) => { body += c; });
                res.on('end', () => resolve(body));
            }).on('error', reject);
        });
        process.stdout.write(out + '\n');
    }
    server.close();
});
