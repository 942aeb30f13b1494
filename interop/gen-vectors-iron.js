// Makes cookie/testdata/iron/vectors.json with the real iron-session 9
// (sealData, over iron-webcrypto) and @hapi/iron 7 (seal):
//   node interop/gen-vectors-iron.js > cookie/testdata/iron/vectors.json
// Each verdict is what the library's own unseal says with the vector's
// passwords, expiry ignored; the payload is what it unseals.
const Iron = require('@hapi/iron');
const { tamper, emit } = require('./vectorlib');

const PW = 'complex-password-at-least-32-characters-long';
const OLD = 'an-older-password-also-32-characters-long!';
const TEN_YEARS = 10 * 365 * 24 * 3600;

// judge unseals with each password in turn, as a password map would by id,
// but with the id ignored (sessctl tries each --secret); expiry is skipped.
async function judge(value, secrets) {
  if (secrets.length === 0) return { signature: 'unverified', secret_index: -1, payload: null };
  const seal = value.split('~')[0];
  const id = seal.split('*')[1];
  for (let i = 0; i < secrets.length; i++) {
    try {
      const password = id ? { [id]: secrets[i] } : secrets[i];
      const payload = await Iron.unseal(seal, password, { ...Iron.defaults, timestampSkewSec: 1e12 });
      return { signature: 'valid', secret_index: i, payload };
    } catch (e) { /* next */ }
  }
  return { signature: 'invalid', secret_index: -1, payload: null };
}

async function vec(desc, name, value, secrets, extra = {}) {
  return { desc, name, value, secrets, want: { format: 'iron', ...(await judge(value, secrets)), ...extra } };
}

(async () => {
  const { sealData } = await import('iron-session');
  const v = [];
  const session = { user: { id: 7, name: 'alice' }, visitCount: 41, isLoggedIn: true };
  const s = await sealData(session, { password: PW, ttl: TEN_YEARS });
  v.push(await vec('iron-session sealData (password id 1, ~2)', 'iron-session', s, [PW]));
  v.push(await vec('iron-session no password given', 'iron-session', s, []));
  v.push(await vec('iron-session wrong password', 'iron-session', s, [OLD]));
  const rot = await sealData(session, { password: { 1: OLD, 2: PW }, ttl: TEN_YEARS });
  v.push(await vec('iron-session rotation: sealed with id 2, the second password', 'iron-session', rot, [OLD, PW]));
  const parts = s.split('*');
  parts[4] = tamper(parts[4], 5);
  v.push(await vec('iron-session tampered ciphertext', 'iron-session', parts.join('*'), [PW]));
  v.push(await vec('iron-session unicode', 'sess', await sealData({ name: 'Zoë ☃ 日本語 🍪' }, { password: PW, ttl: TEN_YEARS }), [PW]));
  v.push(await vec('iron-session ttl 0 (no expiration)', 'sess', await sealData({ a: 1 }, { password: PW, ttl: 0 }), [PW],
    { warning: 'no expiry' }));
  const hapi = await Iron.seal({ visitCount: 41 }, PW, Iron.defaults);
  v.push(await vec('@hapi/iron seal, plain password', 'session', hapi, [PW], { warning: 'no expiry' }));
  v.push(await vec('@hapi/iron seal with a password id', 'session', await Iron.seal({ v: 2 }, { id: 'k2', secret: PW }, Iron.defaults), [PW]));
  const expired = await Iron.seal({ visitCount: 41 }, PW, { ...Iron.defaults, ttl: 1000, localtimeOffsetMsec: -1e11 });
  v.push(await vec('@hapi/iron expired seal', 'session', expired, [PW], { warning: 'expired' }));
  emit(v);
})();
