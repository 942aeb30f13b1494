// validate-sarif.js FILE validates a SARIF log against the official SARIF
// 2.1.0 JSON schema (the copy @microsoft/jest-sarif ships, the schemastore
// sarif-2.1.0-rtm.5 one) with ajv: it prints every error and exits 1 when
// the log is invalid, 2 when it cannot be read.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const addFormats = require('ajv-formats');

const schemaFile = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')),
  'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
// The schema is draft-04 in form, but uses nothing draft-04 and draft-07
// read differently (no boolean exclusiveMinimum): only its "id" becomes "$id".
delete schema.$schema;
schema.$id = schema.id;
delete schema.id;

let log;
try {
  log = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
} catch (e) {
  console.error(`validate-sarif: ${process.argv[2]}: ${e.message}`);
  process.exit(2);
}
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }) // the schema's language pattern is no valid u-flag regexp;
addFormats(ajv);
const validate = ajv.compile(schema);
if (!validate(log)) {
  for (const e of validate.errors) {
    console.log(`${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
  }
  process.exit(1);
}
console.log('valid SARIF 2.1.0');
