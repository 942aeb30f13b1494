<?php
// Reads cookies sessctl signed and says what Debian's Laravel packages make
// of them (php-illuminate-encryption and php-illuminate-cookie, 8.83):
//   php interop/accept-signed.php < cases.json
// Each value is read as EncryptCookies::decrypt does: PHP's cookie
// decoding (urldecode), Illuminate\Encryption\Encrypter::decrypt with the
// APP_KEY ("base64:..." decoded, as the service provider does) and the
// cipher, unserialize when the cookie is serialized, then the name-bound
// CookieValuePrefix::create($name, $key) must start the value (Laravel
// 8.x's hasValidPrefix) and CookieValuePrefix::remove strips it.
// Input: [{id, format, name, value, secret, options}]. Output: {id: {ok,
// payload} | {ok: false, error}}.
require_once 'Illuminate/Encryption/autoload.php';
require_once 'Illuminate/Cookie/autoload.php';

use Illuminate\Cookie\CookieValuePrefix;
use Illuminate\Encryption\Encrypter;

$out = [];
foreach (json_decode(file_get_contents('php://stdin'), true) as $c) {
    try {
        $o = $c['options'] ?? [];
        $key = $c['secret'];
        if (str_starts_with($key, 'base64:')) {
            $key = base64_decode(substr($key, 7));
        }
        $cipher = $o['cipher'] ?? (strlen($key) === 16 ? 'AES-128-CBC' : 'AES-256-CBC');
        $enc = new Encrypter($key, $cipher);
        $value = $enc->decrypt(urldecode($c['value']), ($o['serialized'] ?? 'false') === 'true');
        if (($o['prefix'] ?? 'true') === 'true') {
            if (strpos($value, CookieValuePrefix::create($c['name'], $enc->getKey())) !== 0) {
                throw new Exception('the cookie-name prefix does not match: EncryptCookies sets the cookie to null');
            }
            $value = CookieValuePrefix::remove($value);
        }
        $json = json_decode($value, true);
        $out[$c['id']] = ['ok' => true, 'payload' => is_array($json) ? $json : $value];
    } catch (Throwable $e) {
        $out[$c['id']] = ['ok' => false, 'error' => get_class($e) . ': ' . $e->getMessage()];
    }
}
echo json_encode($out, JSON_UNESCAPED_SLASHES), "\n";
