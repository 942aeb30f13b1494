// Koa with koa-session's documented setup (app.keys, the default cookie
// store: the session JSON in koa.sess, signed by koa.sess.sig): GET / counts
// visits as the express-session reference example does, POST /login, GET
// /logout; /_truth counts requests. PORT and SECRET (app.keys, comma-separated)
// from the environment; binds 127.0.0.1.
const Koa = require('koa');
const session = require('koa-session').default;

const app = new Koa();
app.keys = process.env.SECRET.split(',');
app.use(session({ key: 'koa.sess', maxAge: 86400000 }, app));

const truth = { requests: 0, created: 0, max_count: 0, pid: process.pid };

function form(ctx) {
    return new Promise((resolve, reject) => {
        let body = '';
        ctx.req.setEncoding('utf8');
        ctx.req.on('data', (c) => { body += c; });
        ctx.req.on('end', () => resolve(new URLSearchParams(body)));
        ctx.req.on('error', reject);
    });
}

app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/') {
        const s = ctx.session;
        if (!s.sid && !s.visitCount) {
            s.sid = Math.floor(Math.random() * 10000);
            s.visitCount = 1;
            ctx.status = 201;
            truth.created++;
        } else {
            s.visitCount += 1;
        }
        truth.requests++;
        truth.max_count = Math.max(truth.max_count, s.visitCount);
        ctx.body = s.toJSON();
    } else if (ctx.method === 'POST' && ctx.path === '/login') {
        ctx.session.user = (await form(ctx)).get('user');
        ctx.body = ctx.session.toJSON();
    } else if (ctx.method === 'GET' && ctx.path === '/logout') {
        ctx.session = null;
        ctx.body = { logged_out: true };
    } else if (ctx.method === 'GET' && ctx.path === '/_truth') {
        ctx.body = truth;
    }
});

app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
