// Makes cookie/testdata/cookie-session/vectors.json with the real
// cookie-session middleware (cookies + keygrip underneath):
//   node interop/gen-vectors-cookie-session.js > cookie/testdata/cookie-session/vectors.json
// Each vector's verdict is what keygrip's index() says for "<name>=<value>"
// with the vector's secrets; its payload is the session JSON.
const cookieSession = require('cookie-session');
const Keygrip = require('keygrip');
const { capture, tamper, emit } = require('./vectorlib');

function app(opts, session) {
  const mw = cookieSession(opts);
  return (req, res) => mw(req, res, () => { Object.assign(req.session, session); res.end('ok'); });
}

function judge(name, value, sig, secrets, alg) {
  if (sig === undefined) return { signature: 'unsigned', secret_index: -1 };
  if (secrets.length === 0) return { signature: 'unverified', secret_index: -1 };
  const i = new Keygrip(secrets, alg).index(name + '=' + value, sig);
  return i < 0 ? { signature: 'invalid', secret_index: -1 } : { signature: 'valid', secret_index: i };
}

function vec(desc, name, value, sig, secrets, payload, extra = {}, alg) {
  const v = { desc, name, value, secrets };
  if (sig !== undefined) { v.sig = sig; v.has_sig = true; }
  v.want = { format: 'cookie-session', ...judge(name, value, sig, secrets, alg), payload, ...extra };
  return v;
}

(async () => {
  const v = [];
  const data = { user: 'alice', visits: 3 };
  const c1 = await capture(app({ name: 'session', keys: ['k1', 'k2'] }, data), '/');
  v.push(vec('valid, signed with the first key', 'session', c1.session, c1['session.sig'], ['k1', 'k2'], data));
  v.push(vec('no key given', 'session', c1.session, c1['session.sig'], [], data));
  v.push(vec('wrong key', 'session', c1.session, c1['session.sig'], ['nope'], data));
  const forged = Buffer.from(JSON.stringify({ user: 'admin', visits: 3 })).toString('base64');
  v.push(vec('tampered payload, original signature', 'session', forged, c1['session.sig'], ['k1', 'k2'], { user: 'admin', visits: 3 }));
  const c2 = await capture(app({ name: 'session', keys: ['old'] }, data), '/');
  v.push(vec('rotation: signed by the second key', 'session', c2.session, c2['session.sig'], ['new', 'old'], data));
  const uni = { name: 'Zoë ☃ 日本語 🍪' };
  const c3 = await capture(app({ name: 'sess', keys: ['k1'] }, uni), '/');
  v.push(vec('unicode, custom cookie name', 'sess', c3.sess, c3['sess.sig'], ['k1'], uni));
  const big = { blob: 'y'.repeat(2900) };
  const c4 = await capture(app({ name: 'session', keys: ['k1'] }, big), '/');
  v.push(vec('large (near 4 KB)', 'session', c4.session, c4['session.sig'], ['k1'], big, { warning: 'near 4 KB limit' }));
  const c5 = await capture(app({ name: 'session', keys: new Keygrip(['k256'], 'sha256') }, data), '/');
  v.push(vec('keygrip with sha256', 'session', c5.session, c5['session.sig'], ['k256'], data, {}, 'sha256'));
  const c6 = await capture(app({ name: 'session', signed: false }, data), '/');
  v.push(vec('signed: false (no .sig cookie)', 'session', c6.session, undefined, [], data, { warning: 'unsigned' }));
  emit(v);
})();
