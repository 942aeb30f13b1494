// Reads express-session cookies and connect-redis' store with their own code.
//   node verify.js cookie SECRET     stdin: connect.sid values, one a line;
//       out: {"payload": id} (cookie-signature's unsign, as express-session
//       does) or {"error": ...}
//   node verify.js store REDIS_URL PREFIX
//       out: {id: session, ...}, every session in the store (RedisStore.all)
const readline = require('node:readline');
const signature = require('cookie-signature');

async function cookie(secrets) {
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) {
        const raw = decodeURIComponent(line.trim());
        let out = { error: 'not signed: no s: prefix' };
        if (raw.startsWith('s:')) {
            out = { error: 'signature does not verify under any secret' };
            for (const s of secrets) {
                const id = signature.unsign(raw.slice(2), s);
                if (id !== false) { out = { payload: id }; break; }
            }
        }
        process.stdout.write(JSON.stringify(out) + '\n');
    }
}

async function store(url, prefix) {
    const { RedisStore } = require('connect-redis');
    const { createClient } = require('redis');
    const client = createClient({ url });
    await client.connect();
    const all = await new RedisStore({ client, prefix }).all();
    const out = {};
    for (const s of all) { out[s.id] = s; delete s.id; }
    process.stdout.write(JSON.stringify(out) + '\n');
    await client.quit();
}

const [mode, ...args] = process.argv.slice(2);
(mode === 'store' ? store(args[0], args[1]) : cookie(args[0].split(',')))
    .catch((err) => { console.error(err); process.exit(1); });
