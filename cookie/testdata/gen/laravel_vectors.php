<?php
// Make cookie/testdata/laravel/vectors.json with Debian's php-cli (8.2):
//   php cookie/testdata/gen/laravel_vectors.php
//
// No Laravel here: encrypt() below follows Illuminate\Encryption\Encrypter::
// encrypt (laravel/framework 10.x/11.x) line by line with PHP's own openssl
// and hash extensions: random IV of openssl_cipher_iv_length, openssl_encrypt
// with options 0 (base64 output, PKCS#7), iv and tag base64-encoded, mac =
// hash_hmac('sha256', iv.value, key) for CBC and '' for GCM, json_encode
// with JSON_UNESCAPED_SLASHES, base64_encode. Cookies add what
// EncryptCookies does: the CookieValuePrefix (hash_hmac('sha1', name.'v2',
// key).'|') before encrypting, no serialization, and the value is
// rawurlencode'd in Set-Cookie as Symfony's Cookie does. One vector is
// Laravel's own published test data (tests/Encryption/EncrypterTest.php).

function encrypt_laravel(string $plain, string $key, string $cipher): string {
    $iv = random_bytes(openssl_cipher_iv_length(strtolower($cipher)));
    $tag = '';
    $value = str_contains(strtolower($cipher), 'gcm')
        ? openssl_encrypt($plain, strtolower($cipher), $key, 0, $iv, $tag)
        : openssl_encrypt($plain, strtolower($cipher), $key, 0, $iv);
    if ($value === false) { throw new Exception('Could not encrypt the data.'); }
    $iv = base64_encode($iv);
    $tag = base64_encode($tag ?? '');
    $mac = str_contains(strtolower($cipher), 'gcm') ? '' : hash_hmac('sha256', $iv.$value, $key);
    $json = json_encode(compact('iv', 'value', 'mac', 'tag'), JSON_UNESCAPED_SLASHES);
    return base64_encode($json);
}

function cookie_prefix(string $name, string $key): string {
    return hash_hmac('sha1', $name.'v2', $key).'|';
}

function cookie_value(string $name, string $value, string $key, string $cipher = 'AES-256-CBC'): string {
    return rawurlencode(encrypt_laravel(cookie_prefix($name, $key).$value, $key, $cipher));
}

$appKeyRaw = base64_decode('q0CUxVtmbd7jMVDZTbW0rEPj3mF4k2ZQfRAVb0o9+4E=');
$APP_KEY = 'base64:'.base64_encode($appKeyRaw);
$vectors = [];
function add(array $v) { global $vectors; $vectors[] = $v + ['format' => 'laravel', 'secret_index' => -1]; }

$sid = 'Vq3tDAbqoKX1ixLgoUcTNr8OUpbQH2uAPWyZAJ8e';
$v = cookie_value('laravel_session', $sid, $appKeyRaw);
add(['name' => 'session-cbc', 'cookie_name' => 'laravel_session', 'value' => $v, 'secrets' => [$APP_KEY],
     'signature' => 'valid', 'payload' => $sid, 'secret_index' => 0,
     'fields' => ['cipher' => 'AES-256-CBC', 'cookie_prefix' => rtrim(cookie_prefix('laravel_session', $appKeyRaw), '|')]]);
add(['name' => 'no-secret', 'cookie_name' => 'laravel_session', 'value' => $v, 'secrets' => [],
     'signature' => 'unverified', 'payload' => null]);
add(['name' => 'wrong-secret', 'cookie_name' => 'laravel_session', 'value' => $v,
     'secrets' => ['base64:'.base64_encode(str_repeat('k', 32))], 'signature' => 'invalid', 'payload' => null]);
$env = json_decode(base64_decode(rawurldecode($v)), true);
$ct = base64_decode($env['value']); $ct[0] = chr(ord($ct[0]) ^ 1); $env['value'] = base64_encode($ct);
add(['name' => 'tampered', 'cookie_name' => 'laravel_session',
     'value' => rawurlencode(base64_encode(json_encode($env, JSON_UNESCAPED_SLASHES))),
     'secrets' => [$APP_KEY], 'signature' => 'invalid', 'payload' => null, 'note' => 'one ciphertext bit flipped, MAC kept']);

$tok = 'xZ4Kk3u1Hh0Wn8mXqN2pR7sT9vY1bC3dE5fG7hJ9';
add(['name' => 'xsrf-token', 'cookie_name' => 'XSRF-TOKEN', 'value' => cookie_value('XSRF-TOKEN', $tok, $appKeyRaw),
     'secrets' => ['base64:'.base64_encode(random_bytes(32)), $APP_KEY], 'signature' => 'valid', 'payload' => $tok,
     'secret_index' => 1]);

$json = json_encode(['name' => 'Zoë Ångström', 'city' => '東京', 'emoji' => '🍪'], JSON_UNESCAPED_UNICODE);
add(['name' => 'unicode-json', 'cookie_name' => 'prefs', 'value' => cookie_value('prefs', $json, $appKeyRaw),
     'secrets' => [$APP_KEY], 'signature' => 'valid', 'payload' => json_decode($json), 'secret_index' => 0]);

$big = json_encode(['cart' => array_map(fn($i) => ['sku' => sprintf('D-%03d', $i), 'qty' => $i], range(1, 81))]);
add(['name' => 'large', 'cookie_name' => 'cart', 'value' => cookie_value('cart', $big, $appKeyRaw),
     'secrets' => [$APP_KEY], 'signature' => 'valid', 'payload' => json_decode($big), 'secret_index' => 0,
     'note' => 'Laravel does not compress: near the 4 KB limit']);

$v = cookie_value('laravel_session', $sid, $appKeyRaw, 'AES-256-GCM');
add(['name' => 'session-gcm', 'cookie_name' => 'laravel_session', 'value' => $v, 'secrets' => [$APP_KEY],
     'signature' => 'valid', 'payload' => $sid, 'secret_index' => 0, 'fields' => ['cipher' => 'AES-256-GCM']]);

// Laravel < 5.6 cookies: serialized, no prefix (encrypt($value) with serialize = true).
add(['name' => 'serialized-no-prefix', 'cookie_name' => 'remember', 'secrets' => [$APP_KEY],
     'value' => rawurlencode(encrypt_laravel(serialize('remember-me-token'), $appKeyRaw, 'AES-256-CBC')),
     'signature' => 'valid', 'payload' => 'remember-me-token', 'secret_index' => 0,
     'fields' => ['serialization' => 'php serialize() of a string']]);

// EncryptCookies::$serialize = true (Laravel >= 5.6): encrypt(prefix.value, true) serializes the
// prefixed string; decrypt unserializes, then CookieValuePrefix::validate strips the prefix.
add(['name' => 'serialized-with-prefix', 'cookie_name' => 'laravel_session', 'secrets' => [$APP_KEY],
     'value' => rawurlencode(encrypt_laravel(serialize(cookie_prefix('laravel_session', $appKeyRaw).$sid), $appKeyRaw, 'AES-256-CBC')),
     'signature' => 'valid', 'payload' => $sid, 'secret_index' => 0,
     'fields' => ['serialization' => 'php serialize() of a string', 'cookie_prefix' => rtrim(cookie_prefix('laravel_session', $appKeyRaw), '|')]]);

// Published: laravel/framework tests/Encryption/EncrypterTest.php
// testItValidatesMacOnPerKeyBasis: AES-128-CBC, key b x 16, encryptString('foo').
$pub = 'eyJpdiI6Ilg0dFM5TVRibEFqZW54c3lQdWJoVVE9PSIsInZhbHVlIjoiRGJpa2p2ZHI3eUs0dUtRakJneUhUUT09IiwibWFjIjoiMjBjZWYxODdhNThhOTk4MTk1NTc0YTE1MDgzODU1OWE0ZmQ4MDc5ZjMxYThkOGM1ZmM1MzlmYzBkYTBjMWI1ZiIsInRhZyI6IiJ9';
$e = json_decode(base64_decode($pub), true);
assert(hash_equals(hash_hmac('sha256', $e['iv'].$e['value'], str_repeat('b', 16)), $e['mac']));
assert(openssl_decrypt($e['value'], 'aes-128-cbc', str_repeat('b', 16), 0, base64_decode($e['iv'])) === 'foo');
add(['name' => 'laravel-tests-aes128', 'cookie_name' => '', 'value' => $pub, 'secrets' => [str_repeat('a', 16), str_repeat('b', 16)],
     'signature' => 'valid', 'payload' => 'foo', 'secret_index' => 1, 'fields' => ['cipher' => 'AES-128-CBC'],
     'note' => 'published in laravel/framework tests/Encryption/EncrypterTest.php']);

// The schema of cookie/testdata/<format>/vectors.json that the cookie and
// cmd tests share: desc, name (the cookie's), value, secrets, want.
$lines = [];
foreach ($vectors as $v) {
    $want = array_intersect_key($v, array_flip(['format', 'signature', 'secret_index', 'payload', 'fields']));
    $out = ['desc' => $v['name'], 'name' => $v['cookie_name'], 'value' => $v['value'], 'secrets' => $v['secrets'], 'want' => $want];
    if (isset($v['note'])) { $out['note'] = $v['note']; }
    $lines[] = json_encode($out, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}
file_put_contents(__DIR__.'/../laravel/vectors.json', "[\n".implode(",\n", $lines)."\n]\n");
fwrite(STDERR, sprintf("wrote %d vectors to cookie/testdata/laravel/vectors.json (PHP %s, %s)\n",
    count($vectors), PHP_VERSION, OPENSSL_VERSION_TEXT));
