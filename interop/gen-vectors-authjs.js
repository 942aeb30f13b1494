// Makes cookie/testdata/authjs/vectors.json with the real @auth/core 0.41
// (Auth.js, NextAuth v5) jwt.encode, the salt being the cookie name as
// getToken and the session callback use it:
//   node interop/gen-vectors-authjs.js > cookie/testdata/authjs/vectors.json
// Each verdict is what @auth/core's jwt.decode says with the vector's
// secrets (AUTH_SECRET, a rotation), expiry ignored (clockTolerance); the
// payload is what it decodes.
const { tamper, emit } = require('./vectorlib');

const SECRET = 'auth-secret-from-npx-auth-secret-0123456789';
const NAME = 'authjs.session-token';
const SECURE = '__Secure-authjs.session-token';

(async () => {
  const { encode, decode } = await import('@auth/core/jwt');
  const { hkdf } = await import('@panva/hkdf');
  const jose = await import('jose');
  async function judge(token, secrets, salt) {
    if (secrets.length === 0) return { signature: 'unverified', secret_index: -1, payload: null };
    for (let i = 0; i < secrets.length; i++) {
      try {
        return { signature: 'valid', secret_index: i, payload: await decode({ token, secret: secrets[i], salt }) };
      } catch (e) {
        if (e.code !== 'ERR_JWT_EXPIRED') continue;
        // Expired: decrypted as jwt.decode does (the same hkdf and jose
        // calls) just before it expired.
        const key = await hkdf('sha256', secrets[i], salt, `Auth.js Generated Encryption Key (${salt})`, 64);
        const { payload } = await jose.jwtDecrypt(token, key, { currentDate: new Date((e.payload.exp - 1) * 1000) });
        return { signature: 'valid', secret_index: i, payload };
      }
    }
    return { signature: 'invalid', secret_index: -1, payload: null };
  }
  async function vec(desc, name, token, secrets, salt = name, extra = {}) {
    return { desc, name, value: token, secrets, want: { format: 'authjs', ...(await judge(token, secrets, salt)), ...extra } };
  }
  const v = [];
  const token = { name: 'Alice', email: 'alice@example.com', picture: null, sub: 'user-7', visitCount: 41 };
  const t = await encode({ token, secret: SECRET, salt: NAME });
  v.push(await vec('authjs.session-token', NAME, t, [SECRET]));
  v.push(await vec('no secret given', NAME, t, []));
  v.push(await vec('wrong secret', NAME, t, ['another-secret']));
  v.push(await vec('bare value: the default cookie name is tried as salt', '', t, [SECRET], NAME));
  const s = await encode({ token, secret: SECRET, salt: SECURE });
  v.push(await vec('__Secure- cookie over HTTPS', SECURE, s, [SECRET]));
  v.push(await vec('rotation: AUTH_SECRET="new,old", encoded with the old', NAME,
    await encode({ token, secret: 'old-secret', salt: NAME }), ['new-secret', 'old-secret']));
  const p = t.split('.');
  p[3] = tamper(p[3], 4);
  v.push(await vec('tampered ciphertext', NAME, p.join('.'), [SECRET]));
  v.push(await vec('expired (maxAge -60)', NAME, await encode({ token, secret: SECRET, salt: NAME, maxAge: -60 }), [SECRET], NAME,
    { warning: 'expired' }));
  v.push(await vec('unicode claims', NAME, await encode({ token: { name: 'Zoë ☃ 日本語 🍪' }, secret: SECRET, salt: NAME }), [SECRET]));
  emit(v);
})();
