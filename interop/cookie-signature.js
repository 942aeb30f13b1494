// sign VALUE SECRET  -> prints cookie-signature's sign(VALUE, SECRET)
// unsign SIGNED SECRET... -> prints the value, or "false" and exits 1
const sig = require('cookie-signature');
const [op, input, ...secrets] = process.argv.slice(2);
if (op === 'sign') {
  process.stdout.write(sig.sign(input, secrets[0]) + '\n');
} else if (op === 'unsign') {
  for (const s of secrets) {
    const v = sig.unsign(input, s);
    if (v !== false) { process.stdout.write(v + '\n'); process.exit(0); }
  }
  process.stdout.write('false\n');
  process.exit(1);
} else {
  console.error('usage: cookie-signature.js sign|unsign VALUE SECRET...');
  process.exit(2);
}
