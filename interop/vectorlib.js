// Shared helpers of the gen-vectors-*.js scripts: run an app on a free
// 127.0.0.1 port, GET a path, and return the cookies its Set-Cookie headers
// set, as {name: value} (values exactly as sent).
const http = require('http');

async function capture(handler, path, reqCookies) {
  const server = http.createServer(handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address();
    const headers = reqCookies ? { cookie: reqCookies } : {};
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    await res.text();
    const out = {};
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0];
      const i = pair.indexOf('=');
      out[pair.slice(0, i)] = pair.slice(i + 1);
    }
    return out;
  } finally {
    server.close();
  }
}

// tamper changes one character of s at index i (a letter becomes another).
function tamper(s, i) {
  const c = s[i] === 'A' ? 'B' : 'A';
  return s.slice(0, i) + c + s.slice(i + 1);
}

function emit(vectors) {
  process.stdout.write(JSON.stringify(vectors, null, 2) + '\n');
}

module.exports = { capture, tamper, emit };
