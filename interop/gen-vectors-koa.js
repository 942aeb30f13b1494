// Makes cookie/testdata/koa-session/vectors.json with the real koa and
// koa-session (keygrip via the cookies module, app.keys):
//   node interop/gen-vectors-koa.js > cookie/testdata/koa-session/vectors.json
// Verdicts come from keygrip's index() over "<name>=<value>".
const Koa = require('koa');
const session = require('koa-session').default;
const Keygrip = require('keygrip');
const { capture, emit } = require('./vectorlib');

function app(keys, opts, data) {
  const a = new Koa();
  a.keys = keys;
  a.use(session(opts, a));
  a.use((ctx) => { Object.assign(ctx.session, data); ctx.body = 'ok'; });
  return a.callback();
}

function judge(name, value, sig, secrets) {
  if (secrets.length === 0) return { signature: 'unverified', secret_index: -1 };
  const i = new Keygrip(secrets).index(name + '=' + value, sig);
  return i < 0 ? { signature: 'invalid', secret_index: -1 } : { signature: 'valid', secret_index: i };
}

function payloadOf(value) {
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
}

function vec(desc, name, value, sig, secrets, extra = {}) {
  return { desc, name, value, sig, has_sig: true, secrets,
    want: { format: 'koa-session', ...judge(name, value, sig, secrets), payload: payloadOf(value), ...extra } };
}

(async () => {
  const v = [];
  const n = 'koa.sess';
  const c1 = await capture(app(['koa-key'], {}, { user: 'bob', count: 1 }), '/');
  v.push(vec('valid, default maxAge (one day, _expire set)', n, c1[n], c1[n + '.sig'], ['koa-key'], { expires: true }));
  v.push(vec('wrong key', n, c1[n], c1[n + '.sig'], ['other']));
  const p = payloadOf(c1[n]);
  p.user = 'admin';
  const forged = Buffer.from(JSON.stringify(p)).toString('base64');
  v.push({ ...vec('tampered payload, original signature', n, forged, c1[n + '.sig'], ['koa-key']) });
  const c2 = await capture(app(['old-key'], {}, { user: 'bob' }), '/');
  v.push(vec('rotation: signed by the second key', n, c2[n], c2[n + '.sig'], ['new-key', 'old-key']));
  const c3 = await capture(app(['koa-key'], {}, { name: 'Zoë ☃ 日本語 🍪' }), '/');
  v.push(vec('unicode', n, c3[n], c3[n + '.sig'], ['koa-key']));
  const c4 = await capture(app(['koa-key'], {}, { blob: 'z'.repeat(2900) }), '/');
  v.push(vec('large (near 4 KB)', n, c4[n], c4[n + '.sig'], ['koa-key'], { warning: 'near 4 KB limit' }));
  const c5 = await capture(app(['koa-key'], { maxAge: 'session' }, { user: 'bob' }), '/');
  v.push(vec('maxAge session (_session: true, no _expire)', n, c5[n], c5[n + '.sig'], ['koa-key'], { warning: 'no expiry' }));
  const c6 = await capture(app(['koa-key'], { key: 'app.sid' }, { user: 'carol' }), '/');
  v.push(vec('custom key app.sid', 'app.sid', c6['app.sid'], c6['app.sid.sig'], ['koa-key']));
  // With an external store the cookie holds the store key (signed the same
  // way): sessctl names it an opaque id and checks its signature.
  const mem = new Map();
  const store = { get: (k) => mem.get(k), set: (k, s) => { mem.set(k, s); }, destroy: (k) => { mem.delete(k); } };
  const c7 = await capture(app(['koa-key'], { store }, { user: 'dave' }), '/');
  v.push({ desc: 'external store: the cookie holds the store key', name: n, value: c7[n], sig: c7[n + '.sig'], has_sig: true,
    secrets: ['koa-key'], want: { format: 'opaque', ...judge(n, c7[n], c7[n + '.sig'], ['koa-key']), payload: c7[n] } });
  emit(v);
})();
