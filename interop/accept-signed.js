// Reads cookies sessctl signed and says what the real npm packages make of
// them: cookie-parser (express signed values and j: JSON) and
// cookie-signature (express-session ids), cookie-session and koa-session
// (keygrip over the cookies module, run as middleware in a real app on a
// 127.0.0.1 port), jsonwebtoken, and jose for EdDSA (which jsonwebtoken 9
// does not have), iron-session (getIronSession) and @hapi/iron (unseal),
// @auth/core (getToken), and @fastify/secure-session in a fastify app. Used by cookie/sign_interop_test.go:
//   node interop/accept-signed.js < cases.json
// Input: [{id, format, name, cookie (a Cookie header), value, secret,
// options, public_key}]. Output: {id: {ok, payload} | {ok: false, error}}.
const crypto = require('crypto');
const http = require('http');
const express = require('express');
const cookieParser = require('cookie-parser');
const signature = require('cookie-signature');
const cookieSession = require('cookie-session');
const Keygrip = require('keygrip');
const Koa = require('koa');
const koaSession = require('koa-session').default;
const jwt = require('jsonwebtoken');

// get serves one request of handler on a free port with the Cookie header
// and returns the JSON body.
async function get(handler, cookie) {
  const server = http.createServer(handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address();
    const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { cookie } });
    return await res.json();
  } finally {
    server.close();
  }
}

function keygrip(c) {
  const o = c.options || {};
  return new Keygrip([c.secret], o.digest || 'sha1', o.encoding === 'hex' ? 'hex' : undefined);
}

const accept = {
  async express(c) {
    const app = express();
    app.use(cookieParser(c.secret));
    app.get('/', (req, res) => res.json({ signed: req.signedCookies[c.name] === undefined ? null : req.signedCookies[c.name],
      plain: req.cookies[c.name] === undefined ? null : req.cookies[c.name] }));
    const got = await get(app, c.cookie);
    if (c.options && c.options.signed === 'false') return { ok: true, payload: got.plain };
    if (got.signed === false || got.signed === null) return { ok: false, error: 'cookie-parser: signature refused' };
    if (typeof got.signed === 'string') {
      // express-session reads its id with cookie-signature's unsign.
      const raw = decodeURIComponent(c.value);
      if (signature.unsign(raw.slice(2), c.secret) !== got.signed) return { ok: false, error: 'cookie-signature: unsign refused' };
    }
    return { ok: true, payload: got.signed };
  },
  async 'cookie-session'(c) {
    const app = express();
    app.use(cookieSession({ name: c.name, keys: keygrip(c), signed: (c.options || {}).signed !== 'false' }));
    app.get('/', (req, res) => res.json({ isNew: req.session.isNew, session: req.session }));
    const got = await get(app, c.cookie);
    if (got.isNew) return { ok: false, error: 'cookie-session: a new session (signature or value refused)' };
    return { ok: true, payload: got.session };
  },
  async 'koa-session'(c) {
    const app = new Koa();
    app.keys = keygrip(c);
    app.use(koaSession({ key: c.name }, app));
    app.use((ctx) => { ctx.body = { isNew: ctx.session.isNew === true, session: ctx.session.toJSON() }; });
    const got = await get(app.callback(), c.cookie);
    if (got.isNew) return { ok: false, error: 'koa-session: a new session (signature, value or _expire refused)' };
    return { ok: true, payload: got.session };
  },
  async jwt(c) {
    const alg = (c.options && c.options.alg) || 'HS256';
    if (alg === 'EdDSA') {
      const jose = await import('jose');
      const key = await jose.importSPKI(c.public_key, 'EdDSA');
      const { payload } = await jose.jwtVerify(c.value, key, { algorithms: ['EdDSA'] });
      return { ok: true, payload };
    }
    let key = c.secret;
    if (c.key_confusion) {
      // What a verifier that takes the public key for an HS256 secret does.
      key = crypto.createSecretKey(Buffer.from(c.secret));
    } else if (c.public_key) {
      key = c.public_key;
    } else if (alg === 'none') {
      key = undefined;
    }
    return { ok: true, payload: jwt.verify(c.value, key, { algorithms: [alg] }) };
  },
  async iron(c) {
    const o = c.options || {};
    const id = o.password_id || '1';
    if (o.suffix === 'none') {
      // @hapi/iron's unseal, with a plain password or a map by id.
      const Iron = require('@hapi/iron');
      const password = id === 'none' ? c.secret : { [id]: c.secret };
      return { ok: true, payload: await Iron.unseal(decodeURIComponent(c.value), password, Iron.defaults) };
    }
    // iron-session's getIronSession in a real node:http server.
    const { getIronSession } = await import('iron-session');
    let failed = null;
    const got = await get(async (req, res) => {
      const session = await getIronSession(req, res, { password: { [id]: c.secret }, cookieName: c.name,
        onUnsealError: (kind) => { failed = kind; } });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ...session }));
    }, c.cookie);
    if (failed) return { ok: false, error: 'iron-session: ' + failed };
    if (Object.keys(got).length === 0) return { ok: false, error: 'iron-session: an empty session (refused)' };
    return { ok: true, payload: got };
  },
  async authjs(c) {
    // @auth/core's getToken, as a Next.js middleware or route calls it.
    const { getToken } = await import('@auth/core/jwt');
    const req = new Request('http://127.0.0.1/', { headers: { cookie: c.cookie } });
    const token = await getToken({ req, secret: c.secret, cookieName: c.name, secureCookie: c.name.startsWith('__Secure-'),
      salt: (c.options || {}).salt || c.name, logger: { error() {}, warn() {}, debug() {} } });
    if (token === null) return { ok: false, error: 'authjs: getToken gave null (refused)' };
    return { ok: true, payload: token };
  },
  async 'secure-session'(c) {
    // The real plugin in a fastify app, through fastify.inject.
    const fastify = require('fastify')();
    const o = c.options || {};
    const opts = { cookieName: c.name };
    if (c.enc_key) opts.key = Buffer.from(c.enc_key, 'base64');
    else opts.secret = c.secret;
    if (o.salt) opts.salt = o.salt;
    fastify.register(require('@fastify/secure-session'), opts);
    // A refused cookie gives a new session: only a fresh __ts.
    fastify.get('/', async (req) => ({ session: { ...req.session.data(), __ts: req.session.get('__ts') } }));
    const res = await fastify.inject({ method: 'GET', url: '/', headers: { cookie: c.cookie } });
    await fastify.close();
    const got = res.json();
    if (Object.keys(got.session).length <= 1) return { ok: false, error: 'secure-session: a new session (refused)' };
    return { ok: true, payload: got.session };
  },
};

(async () => {
  const chunks = [];
  for await (const ch of process.stdin) chunks.push(ch);
  const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const out = {};
  for (const c of cases) {
    try {
      out[c.id] = await accept[c.format](c);
    } catch (e) {
      out[c.id] = { ok: false, error: String(e && e.message || e) };
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
})();
