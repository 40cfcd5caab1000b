// The node `mongodb` driver (v6, from npm) against a running daemon.
// Usage: node node_client.js PORT SOCKET_PATH   (NODE_PATH points at the installed node_modules)
// Checks: server selection and SDAM (Standalone, iscryptd in the server description) over TCP and
// the unix socket (the URI mongosh builds), hello/ping/buildInfo, an analysis command whose reply
// carries a decodable FLE1 marking, a rejected query and an unknown command as driver errors.
'use strict';
const { MongoClient, Binary, UUID, BSON } = require('mongodb');

const [port, socketPath] = process.argv.slice(2);
const KEY = new UUID('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
const SCHEMA = {
  bsonType: 'object',
  properties: { ssn: { encrypt: { keyId: [KEY], bsonType: 'string', algorithm: 'AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic' } } }
};

function check(cond, what) {
  if (!cond) {
    console.log('FAIL: ' + what);
    process.exit(1);
  }
  console.log('ok: ' + what);
}

async function exercise(uri, label) {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  const descriptions = [];
  client.on('serverDescriptionChanged', (ev) => descriptions.push(ev.newDescription));
  await client.connect();
  try {
    const admin = client.db('admin');
    const hello = await admin.command({ hello: 1 });
    check(hello.iscryptd === true && hello.ok === 1, label + ' hello says iscryptd: true');
    check(Number.isInteger(hello.maxWireVersion), label + ' maxWireVersion is an integer');
    const sd = descriptions.find((d) => d.type !== 'Unknown');
    check(sd !== undefined, label + ' server selected');
    check(sd.type === 'Standalone', label + ' SDAM classifies the daemon as Standalone: ' + sd.type);
    check(sd.iscryptd === true, label + ' the server description carries iscryptd');
    check((await admin.command({ ping: 1 })).ok === 1, label + ' ping');
    check(typeof (await admin.command({ buildInfo: 1 })).version === 'string', label + ' buildInfo version');

    const db = client.db('test');
    const reply = await db.command({ find: 'patients', filter: { ssn: '457-55-5462' }, jsonSchema: SCHEMA, isRemoteSchema: false });
    check(reply.hasEncryptionPlaceholders === true, label + ' find is analyzed');
    const f = reply.result.filter.ssn;
    const marking = f instanceof Binary ? f : f.$eq;
    check(marking instanceof Binary && marking.sub_type === 6, label + ' the value became a binary subtype 6 marking');
    const bytes = Buffer.from(marking.buffer);
    check(bytes[0] === 0, label + ' first byte 0 (FLE1 placeholder)');
    const payload = BSON.deserialize(bytes.subarray(1));
    check(payload.a === 1 && payload.v === '457-55-5462', label + ' marking decodes to {a: 1, v: plaintext}');
    check(payload.ki instanceof Binary && payload.ki.sub_type === 4 && Buffer.from(payload.ki.buffer).equals(Buffer.from(KEY.buffer)),
      label + ' marking ki is the schema key');

    try {
      await db.command({ find: 'patients', filter: { ssn: { $gt: '1' } }, jsonSchema: SCHEMA, isRemoteSchema: false });
      check(false, label + ' a range query on an encrypted field must fail');
    } catch (e) {
      check(/Invalid match expression operator on encrypted field/.test(e.message), label + ' rejection surfaces: ' + e.message);
    }
    try {
      await admin.command({ frobnicate: 1 });
      check(false, label + ' unknown command must fail');
    } catch (e) {
      check(e.code === 59, label + ' unknown command is CommandNotFound (59)');
    }
  } finally {
    await client.close();
  }
}

(async () => {
  console.log('node ' + process.version + ', mongodb driver ' + require('mongodb/package.json').version);
  await exercise(`mongodb://127.0.0.1:${port}/?directConnection=true`, 'tcp');
  await exercise(`mongodb://127.0.0.1:${port}`, 'tcp-discovery');
  await exercise(`mongodb://${encodeURIComponent(socketPath)}`, 'unix');
  console.log('all node driver checks passed');
})().catch((e) => {
  console.log('FAIL: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
