// The Node.js driver (`mongodb` 7.9 with `mongodb-client-encryption` 7.2 built from source against
// libmongocrypt 1.20.2) with automatic encryption, against a fake mongod and our mongocryptd.
// Usage: node node_auto_encryption.js FAKE_URI spawn|bypass CRYPTD_PORT DIR
//        node node_auto_encryption.js FAKE_URI crypt_shared LIBRARY DIR
//        (NODE_PATH points at the node_modules the e2e_node_fle_install fixture filled)
// The protocol shared by the drivers' clients (driver_auto_encryption.h): create a local data
// key, insert two documents and find one by its deterministic field through a schemaMap, then a
// refused query; here also an updateOne and a countDocuments filtering on the encrypted field.
// Prints "ok: ..." per check, "REFUSED: <error>" for the refusal, and exits non-zero on the first
// failure; what reached the server is checked by the test itself.
'use strict';
const { MongoClient, ClientEncryption, Binary } = require('mongodb');

function check(cond, what) {
  if (!cond) {
    console.log('FAIL: ' + what);
    process.exit(1);
  }
  console.log('ok: ' + what);
}

async function main() {
  const [fakeUri, mode, portOrLibrary, dir] = process.argv.slice(2);
  const cryptShared = mode === 'crypt_shared';
  if (!dir || !['spawn', 'bypass', 'crypt_shared'].includes(mode) ||
      !(cryptShared || /^\d+$/.test(portOrLibrary))) {
    console.log('usage: node node_auto_encryption.js FAKE_URI spawn|bypass|crypt_shared CRYPTD_PORT|LIBRARY DIR');
    process.exit(2);
  }
  const port = portOrLibrary;
  const { MongoCrypt } = require('mongodb-client-encryption');
  console.log(`node ${process.version}, mongodb ${require('mongodb/package.json').version}, ` +
    `mongodb-client-encryption ${require('mongodb-client-encryption/package.json').version}, ` +
    `libmongocrypt ${MongoCrypt.libmongocryptVersion}`);

  const localKey = Buffer.alloc(96);
  for (let i = 0; i < 96; ++i) localKey[i] = 255 - i;
  const kmsProviders = { local: { key: localKey } };
  const keyVaultNamespace = 'keyvault.datakeys';

  const keyVault = new MongoClient(fakeUri);
  await keyVault.connect();
  const ce = new ClientEncryption(keyVault, { keyVaultNamespace, kmsProviders });
  const keyId = await ce.createDataKey('local');
  check(keyId instanceof Binary && keyId.sub_type === 4, 'created a local data key (UUID)');

  const schema = {
    bsonType: 'object',
    properties: {
      ssn: { encrypt: { keyId: [keyId], bsonType: 'string', algorithm: 'AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic' } },
      notes: { encrypt: { keyId: [keyId], algorithm: 'AEAD_AES_256_CBC_HMAC_SHA_512-Random' } }
    }
  };
  let extraOptions = { mongocryptdURI: `mongodb://127.0.0.1:${port}` };
  if (cryptShared) {
    extraOptions = { cryptSharedLibPath: portOrLibrary, cryptSharedLibRequired: true };
  } else if (mode === 'spawn') {
    extraOptions.mongocryptdSpawnArgs = [`--port=${port}`, `--pidfilepath=${dir}/mongocryptd.pid`, `--unixSocketPrefix=${dir}`];
  } else {
    extraOptions.mongocryptdBypassSpawn = true;
    extraOptions.mongocryptdSpawnPath = '/nonexistent/mongocryptd'; // a spawn would fail loudly
  }
  const client = new MongoClient(fakeUri, {
    autoEncryption: { keyVaultNamespace, kmsProviders, schemaMap: { 'medical.patients': schema }, extraOptions }
  });
  try {
    await client.connect();
    if (cryptShared) {
      const info = client.autoEncrypter && client.autoEncrypter.cryptSharedLibVersionInfo;
      check(info && /^mongo_crypt_v1-cryptd-/.test(info.versionStr),
        'the driver loaded cryptd\'s crypt_shared library: ' + (info ? info.versionStr : 'none'));
    }
    const coll = client.db('medical').collection('patients');
    const inserted = await coll.insertMany([
      { _id: 1, name: 'Jon Doe', ssn: '457-55-5462', notes: 'allergic' },
      { _id: 2, name: 'Jane Roe', ssn: '123-45-6789', notes: 'none' }
    ]);
    check(inserted.insertedCount === 2, 'inserted two documents');

    let docs = await coll.find({ ssn: '457-55-5462' }).toArray();
    check(docs.length === 1, 'find by the deterministic field returns one document: ' + JSON.stringify(docs));
    check(docs[0].name === 'Jon Doe' && docs[0].ssn === '457-55-5462' && docs[0].notes === 'allergic',
      'the application reads plaintext back: ' + JSON.stringify(docs[0]));

    const updated = await coll.updateOne({ ssn: '457-55-5462' }, { $set: { notes: 'updated' } });
    check(updated.matchedCount === 1, 'updateOne on the deterministic field matched one document');
    const count = await coll.countDocuments({ ssn: '457-55-5462' });
    check(count === 1, 'countDocuments on the deterministic field counts one: ' + count);
    docs = await coll.find({ ssn: '457-55-5462' }).toArray();
    check(docs.length === 1 && docs[0].notes === 'updated', 'the update is read back decrypted: ' + JSON.stringify(docs));

    try {
      await coll.find({ ssn: { $gt: '1' } }).toArray();
      check(false, 'a range query on the deterministic field is refused');
    } catch (e) {
      check(true, 'a range query on the deterministic field is refused (' + e.name + ')');
      console.log('REFUSED: ' + e.message);
    }
  } finally {
    await client.close();
    await keyVault.close();
  }
  if (cryptShared) {
    const mapped = new Set();
    for (const line of require('fs').readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const path = line.split(/\s+/)[5];
      if (path && path.includes('mongo_crypt_v1')) mapped.add(path);
    }
    for (const path of mapped) console.log('CRYPT_SHARED_MAPPED: ' + path);
  }
  console.log('all node driver checks passed');
}

main().catch((e) => {
  console.log('FAIL: ' + (e && e.stack ? e.stack : e));
  process.exit(1);
});
