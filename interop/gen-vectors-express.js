// Makes cookie/testdata/express/vectors.json with the real express-session,
// express (res.cookie signed), cookie-parser and cookie-signature:
//   node interop/gen-vectors-express.js > cookie/testdata/express/vectors.json
// Each vector's verdict is what cookie-parser's signedCookie says with the
// vector's secrets; its payload is the session id or the (JSON) value.
const express = require('express');
const session = require('express-session');
const cookieParser = require('cookie-parser');
const { capture, tamper, emit } = require('./vectorlib');

function sessionApp(secret) {
  const app = express();
  app.use(session({ secret, resave: false, saveUninitialized: true }));
  app.get('/', (req, res) => { req.session.n = 1; res.send('ok'); });
  return app;
}

function parserApp(secret) {
  const app = express();
  app.use(cookieParser(secret));
  app.get('/signed', (req, res) => { res.cookie('user', req.query.v, { signed: true }); res.send('ok'); });
  app.get('/json', (req, res) => { res.cookie('prefs', JSON.parse(req.query.v), { signed: true }); res.send('ok'); });
  app.get('/plainjson', (req, res) => { res.cookie('cart', JSON.parse(req.query.v)); res.send('ok'); });
  return app;
}

// verdict and payload as cookie-parser reads the raw cookie value.
function judge(raw, secrets) {
  const v = decodeURIComponent(raw);
  if (!v.startsWith('s:')) {
    return { signature: 'unsigned', payload: cookieParser.JSONCookie(v) };
  }
  if (secrets.length === 0) return { signature: 'unverified' };
  const got = cookieParser.signedCookie(v, secrets);
  if (got === false) return { signature: 'invalid', secret_index: -1 };
  let idx = -1;
  secrets.some((s, i) => (cookieParser.signedCookie(v, [s]) !== false ? ((idx = i), true) : false));
  const json = cookieParser.JSONCookie(got);
  return { signature: 'valid', secret_index: idx, payload: json === undefined ? got : json };
}

function vec(desc, name, value, secrets, payload, extra = {}) {
  const j = judge(value, secrets);
  const want = { format: 'express', signature: j.signature, secret_index: j.secret_index ?? -1,
    payload: j.payload !== undefined ? j.payload : payload, ...extra };
  return { desc, name, value, secrets, want };
}

(async () => {
  const v = [];
  const s1 = await capture(sessionApp(['sekrit']), '/');
  const sid = decodeURIComponent(s1['connect.sid']).slice(2).split('.')[0];
  v.push(vec('express-session id, valid', 'connect.sid', s1['connect.sid'], ['sekrit'], sid));
  v.push(vec('express-session id, raw (not URL-encoded) form', 'connect.sid', decodeURIComponent(s1['connect.sid']), ['sekrit'], sid));
  v.push(vec('express-session id, no secret given', 'connect.sid', s1['connect.sid'], [], sid));
  v.push(vec('express-session id, wrong secret', 'connect.sid', s1['connect.sid'], ['not-the-secret'], sid));
  const tampered = 's%3A' + tamper(sid, 5) + '.' + decodeURIComponent(s1['connect.sid']).split('.').pop().replace(/\+/g, '%2B').replace(/\//g, '%2F');
  v.push(vec('express-session id, tampered id', 'connect.sid', tampered, ['sekrit'], tamper(sid, 5)));
  const s2 = await capture(sessionApp(['old-secret']), '/');
  const sid2 = decodeURIComponent(s2['connect.sid']).slice(2).split('.')[0];
  v.push(vec('express-session id, rotation: signed by the second secret', 'connect.sid', s2['connect.sid'], ['new-secret', 'old-secret'], sid2));
  v.push(vec('express-session id, bare value without name', '', s1['connect.sid'], ['sekrit'], sid));

  const p = parserApp(['cp-secret', 'cp-old']);
  const u1 = await capture(p, '/signed?v=' + encodeURIComponent('alice'));
  v.push(vec('cookie-parser signed value', 'user', u1.user, ['cp-secret'], 'alice'));
  const uni = 'héllo ☃ 日本語 🍪';
  const u2 = await capture(p, '/signed?v=' + encodeURIComponent(uni));
  v.push(vec('cookie-parser signed value, unicode', 'user', u2.user, ['cp-secret'], uni));
  const big = 'x'.repeat(3500);
  const u3 = await capture(p, '/signed?v=' + big);
  v.push(vec('cookie-parser signed value, large (near 4 KB)', 'user', u3.user, ['cp-secret'], big, { warning: 'near 4 KB limit' }));
  const obj = { theme: 'dark', n: [1, 2], name: 'Zoë' };
  const u4 = await capture(p, '/json?v=' + encodeURIComponent(JSON.stringify(obj)));
  v.push(vec('cookie-parser signed JSON (s:j:)', 'prefs', u4.prefs, ['cp-secret'], obj));
  v.push(vec('cookie-parser signed JSON, wrong secret', 'prefs', u4.prefs, ['nope'], obj));
  const cart = { items: ['a', '☃'] };
  const u5 = await capture(p, '/plainjson?v=' + encodeURIComponent(JSON.stringify(cart)));
  v.push(vec('cookie-parser unsigned JSON cookie (j:)', 'cart', u5.cart, [], cart));
  emit(v);
})();
