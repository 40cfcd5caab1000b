<?php
// The PHP driver (Debian's php-mongodb, bundling libmongoc and libmongocrypt) with automatic
// encryption, against a fake mongod and our mongocryptd.
// Usage: php php_auto_encryption.php FAKE_URI spawn|bypass CRYPTD_PORT DIR
//        php php_auto_encryption.php FAKE_URI crypt_shared LIBRARY DIR
// The protocol shared by the drivers' clients (driver_auto_encryption.h): create a local data
// key, insert two documents and find one by its deterministic field through a schemaMap, then a
// refused query. Prints "ok: ..." per check, "REFUSED: <error>" for the refusal, and exits
// non-zero on the first failure; what reached the server is checked by the test itself.

use MongoDB\BSON\Binary;
use MongoDB\Driver\BulkWrite;
use MongoDB\Driver\Manager;
use MongoDB\Driver\Query;

function check($cond, $what) {
    if (!$cond) {
        echo "FAIL: $what\n";
        exit(1);
    }
    echo "ok: $what\n";
}

set_exception_handler(function ($e) {
    echo 'FAIL: ' . get_class($e) . ': ' . $e->getMessage() . "\n";
    exit(1);
});

if ($argc !== 5 || !in_array($argv[2], ['spawn', 'bypass', 'crypt_shared'], true) ||
    ($argv[2] !== 'crypt_shared' && !ctype_digit($argv[3]))) {
    echo "usage: php php_auto_encryption.php FAKE_URI spawn|bypass|crypt_shared CRYPTD_PORT|LIBRARY DIR\n";
    exit(2);
}
[, $fakeUri, $mode, $port, $dir] = $argv;
echo 'php ' . PHP_VERSION . ', mongodb extension ' . phpversion('mongodb') . "\n";

$localKey = '';
for ($i = 0; $i < 96; ++$i) $localKey .= chr(255 - $i);
$kms = ['local' => ['key' => new Binary($localKey, Binary::TYPE_GENERIC)]];

$keyVault = new Manager($fakeUri);
$ce = $keyVault->createClientEncryption(['keyVaultNamespace' => 'keyvault.datakeys', 'kmsProviders' => $kms]);
$keyId = $ce->createDataKey('local');
check($keyId instanceof Binary && $keyId->getType() === Binary::TYPE_UUID, 'created a local data key (UUID)');

$schema = [
    'bsonType' => 'object',
    'properties' => [
        'ssn' => ['encrypt' => ['keyId' => [$keyId], 'bsonType' => 'string',
                                'algorithm' => 'AEAD_AES_256_CBC_HMAC_SHA_512-Deterministic']],
        'notes' => ['encrypt' => ['keyId' => [$keyId], 'algorithm' => 'AEAD_AES_256_CBC_HMAC_SHA_512-Random']],
    ],
];
$extra = ['mongocryptdURI' => "mongodb://127.0.0.1:$port"];
if ($mode === 'crypt_shared') {
    $extra = ['cryptSharedLibPath' => $argv[3], 'cryptSharedLibRequired' => true];
} elseif ($mode === 'spawn') {
    $extra['mongocryptdSpawnArgs'] = ["--port=$port", "--pidfilepath=$dir/mongocryptd.pid", "--unixSocketPrefix=$dir"];
} else {
    $extra['mongocryptdBypassSpawn'] = true;
    $extra['mongocryptdSpawnPath'] = '/nonexistent/';  // a spawn would fail loudly
}
$client = new Manager($fakeUri, [], ['autoEncryption' => [
    'keyVaultNamespace' => 'keyvault.datakeys',
    'kmsProviders' => $kms,
    'schemaMap' => ['medical.patients' => $schema],
    'extraOptions' => $extra,
]]);

$bulk = new BulkWrite();
$bulk->insert(['_id' => 1, 'name' => 'Jon Doe', 'ssn' => '457-55-5462', 'notes' => 'allergic']);
$bulk->insert(['_id' => 2, 'name' => 'Jane Roe', 'ssn' => '123-45-6789', 'notes' => 'none']);
$result = $client->executeBulkWrite('medical.patients', $bulk);
check($result->getInsertedCount() === 2, 'inserted two documents');

$docs = $client->executeQuery('medical.patients', new Query(['ssn' => '457-55-5462']))->toArray();
check(count($docs) === 1, 'find by the deterministic field returns one document: ' . json_encode($docs));
$doc = $docs[0];
check($doc->name === 'Jon Doe' && $doc->ssn === '457-55-5462' && $doc->notes === 'allergic',
      'the application reads plaintext back: ' . json_encode($doc));

try {
    $client->executeQuery('medical.patients', new Query(['ssn' => ['$gt' => '1']]))->toArray();
    check(false, 'a range query on the deterministic field is refused');
} catch (MongoDB\Driver\Exception\Exception $e) {
    check(true, 'a range query on the deterministic field is refused (' . get_class($e) . ')');
    echo 'REFUSED: ' . $e->getMessage() . "\n";
}
if ($mode === 'crypt_shared') {
    $mapped = [];
    foreach (file('/proc/self/maps') as $line) {
        $parts = preg_split('/\s+/', trim($line));
        if (isset($parts[5]) && strpos($parts[5], 'mongo_crypt_v1') !== false) $mapped[$parts[5]] = true;
    }
    foreach (array_keys($mapped) as $path) echo "CRYPT_SHARED_MAPPED: $path\n";
}
echo "all php driver checks passed\n";
