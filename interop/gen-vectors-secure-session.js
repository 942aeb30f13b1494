// Makes cookie/testdata/secure-session/vectors.json with the real
// @fastify/secure-session 8 in a fastify 5 app (fastify.inject): the
// cookies its routes set, and the verdicts of its own decodeSecureSession
// with the vector's key (the key option, --enc-key) or secret (the secret
// option, --secret, crypto_pwhash with the default salt):
//   node interop/gen-vectors-secure-session.js > cookie/testdata/secure-session/vectors.json
// The payload is the session JSON as the plugin stores it, __ts included.
const Fastify = require('fastify');
const { tamper, emit } = require('./vectorlib');

const KEY = 'a-32-byte-secretbox-key-01234567';
const OTHER = 'another-32-byte-secretbox-key!!!';
const SECRET = 'a-secret-of-at-least-thirty-two-bytes';

// app runs the plugin with opts; GET /set?v=<json> stores v's keys in the
// session, GET /read returns what the plugin decoded.
async function app(opts) {
  const f = Fastify();
  f.register(require('@fastify/secure-session'), opts);
  f.get('/set', async (req) => {
    for (const [k, x] of Object.entries(JSON.parse(req.query.v))) req.session.set(k, x);
    return {};
  });
  await f.ready();
  return f;
}

async function setCookie(opts, session) {
  const f = await app(opts);
  const res = await f.inject({ method: 'GET', url: '/set?v=' + encodeURIComponent(JSON.stringify(session)) });
  await f.close();
  const line = [].concat(res.headers['set-cookie'])[0];
  const pair = line.split(';')[0];
  return pair.slice(pair.indexOf('=') + 1);
}

async function judge(value, encKeys, secrets) {
  const tries = [...encKeys.map((k) => ({ key: Buffer.from(k) })), ...secrets.map((s) => ({ secret: s }))];
  if (tries.length === 0) return { signature: 'unverified', secret_index: -1, payload: null };
  for (let i = 0; i < tries.length; i++) {
    const f = await app(tries[i]);
    const s = f.decodeSecureSession(decodeURIComponent(value));
    await f.close();
    if (s) {
      const index = i < encKeys.length ? i : i - encKeys.length;
      return { signature: 'valid', secret_index: index, payload: { ...s.data(), __ts: s.get('__ts') } };
    }
  }
  return { signature: 'invalid', secret_index: -1, payload: null };
}

async function vec(desc, value, { encKeys = [], secrets = [] }, extra = {}) {
  const v = { desc, name: 'session', value, secrets };
  if (encKeys.length) v.enc_keys = encKeys;
  v.want = { format: 'secure-session', ...(await judge(value, encKeys, secrets)), ...extra };
  return v;
}

(async () => {
  const v = [];
  const session = { user: 'alice', visitCount: 41, roles: ['a', 'b'] };
  const c = await setCookie({ key: Buffer.from(KEY) }, session);
  v.push(await vec('key option', c, { encKeys: [KEY] }));
  v.push(await vec('no key given', c, {}));
  v.push(await vec('wrong key', c, { encKeys: [OTHER] }));
  v.push(await vec('key rotation: the second key opens it', c, { encKeys: [OTHER, KEY] }));
  const [box, nonce] = decodeURIComponent(c).split(';');
  v.push(await vec('tampered ciphertext', encodeURIComponent(tamper(box, 6) + ';' + nonce), { encKeys: [KEY] }));
  v.push(await vec('secret option (crypto_pwhash, default salt)', await setCookie({ secret: SECRET }, session), { secrets: [SECRET] }));
  v.push(await vec('unicode', await setCookie({ key: Buffer.from(KEY) }, { name: 'Zoë ☃ 日本語 🍪' }), { encKeys: [KEY] }));
  emit(v);
})();
