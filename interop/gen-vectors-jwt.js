// Makes cookie/testdata/jwt/vectors.json with the real jsonwebtoken and
// Node's crypto for the key pairs:
//   node interop/gen-vectors-jwt.js > cookie/testdata/jwt/vectors.json
// Each verdict is what jwt.verify says with the vector's secret or public
// key (expiry ignored); alg none is "unsigned".
const jwt = require('jsonwebtoken');
const crypto = require('crypto');
const { tamper, emit } = require('./vectorlib');

const iat = 1795000000; // fixed, so payloads are stable
function judge(token, secrets, pem) {
  const alg = JSON.parse(Buffer.from(token.split('.')[0], 'base64url')).alg;
  if (alg === 'none') return { signature: 'unsigned', secret_index: -1 };
  const keys = pem ? [pem] : secrets;
  if (keys.length === 0) return { signature: 'unverified', secret_index: -1 };
  for (let i = 0; i < keys.length; i++) {
    try {
      jwt.verify(token, keys[i], { algorithms: [alg], ignoreExpiration: true });
      return { signature: 'valid', secret_index: i };
    } catch (e) { /* next */ }
  }
  return { signature: 'invalid', secret_index: -1 };
}

function vec(desc, token, secrets, pem, extra = {}) {
  const v = { desc, name: 'token', value: token, secrets };
  if (pem) v.key_pem = pem;
  const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  v.want = { format: 'jwt', ...judge(token, secrets, pem), payload, ...extra };
  return v;
}

const v = [];
const claims = { sub: 'alice', role: 'user', iat, exp: iat + 3600 };
const hs = jwt.sign(claims, 'jwt-secret', { algorithm: 'HS256' });
v.push(vec('HS256 valid', hs, ['jwt-secret']));
v.push(vec('HS256 no secret given', hs, []));
v.push(vec('HS256 wrong secret', hs, ['wrong']));
const [h, p, s] = hs.split('.');
const forged = h + '.' + Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url') + '.' + s;
v.push(vec('HS256 tampered payload', forged, ['jwt-secret']));
v.push(vec('HS256 tampered signature', h + '.' + p + '.' + tamper(s, 3), ['jwt-secret']));
v.push(vec('HS384 rotation: signed by the second secret', jwt.sign(claims, 'old', { algorithm: 'HS384' }), ['new', 'old']));
v.push(vec('HS512 unicode claims', jwt.sign({ name: 'Zoë ☃ 日本語 🍪', iat }, 'jwt-secret', { algorithm: 'HS512' }), ['jwt-secret'], null, { warning: 'no expiry' }));
v.push(vec('HS256 large', jwt.sign({ blob: 'q'.repeat(2900), iat }, 'jwt-secret', { algorithm: 'HS256' }), ['jwt-secret'], null, { warning: 'near 4 KB limit' }));
v.push(vec('alg none', jwt.sign(claims, undefined, { algorithm: 'none' }), ['jwt-secret'], null, { warning: 'alg none' }));

const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPub = rsa.publicKey.export({ type: 'spki', format: 'pem' });
v.push(vec('RS256 valid with PEM', jwt.sign(claims, rsa.privateKey, { algorithm: 'RS256' }), [], rsaPub));
v.push(vec('PS256 valid with PEM', jwt.sign(claims, rsa.privateKey, { algorithm: 'PS256' }), [], rsaPub));
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPub = ec.publicKey.export({ type: 'spki', format: 'pem' });
const es = jwt.sign(claims, ec.privateKey, { algorithm: 'ES256' });
v.push(vec('ES256 valid with PEM', es, [], ecPub));
v.push(vec('ES256 with the wrong PEM (RSA key)', es, [], rsaPub));
// Key confusion (CVE-2016-10555): an HS256 token whose HMAC key is the public
// PEM. Given only --key, sessctl never uses the public key as a secret, so
// it stays unverified (jsonwebtoken 9 refuses it too).
const confused = crypto.createHmac('sha256', rsaPub);
const ch = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url') + '.' + Buffer.from(JSON.stringify(claims)).toString('base64url');
confused.update(ch);
v.push(vec('HS256 key confusion: signed with the public PEM as HMAC secret, only --key given', ch + '.' + confused.digest('base64url'), [], rsaPub, { signature: 'unverified' }));
emit(v);
