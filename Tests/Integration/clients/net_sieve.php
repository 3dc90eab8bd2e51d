<?php
// A round trip with PEAR's Net_Sieve (what Roundcube's managesieve plugin uses), driven by test_interop.py.
// usage: php net_sieve.php HOST PORT USER PASSWORD SCRIPTFILE [CAFILE]
// With CAFILE the session uses STARTTLS and verifies the server's certificate against CAFILE.
// Prints one "step: result" line per operation; exits 1 at the first error, naming it.
error_reporting(E_ALL & ~E_DEPRECATED & ~E_STRICT);
require_once 'Net/Sieve.php';

list(, $host, $port, $user, $password, $file) = $argv;
$cafile = isset($argv[6]) ? $argv[6] : null;
$script = file_get_contents($file);

function check($step, $result)
{
    if (is_a($result, 'PEAR_Error')) {
        fwrite(STDOUT, "$step: ERROR " . $result->getMessage() . "\n");
        exit(1);
    }
    return $result;
}

// user, password, host, port, logintype, euser, debug, bypassAuth, useTLS, options
$options = $cafile === null ? null : array('ssl' => array('cafile' => $cafile, 'verify_peer' => true));
// NET_SIEVE_METHOD picks the SASL mechanism (XOAUTH2: the password is "Bearer TOKEN", as Roundcube hands it).
$method = getenv('NET_SIEVE_METHOD') ?: 'PLAIN';
$sieve = new Net_Sieve($user, $password, $host, (int)$port, $method, '', false, false, $cafile !== null, $options);
check('login', $sieve->getError());
echo "login: ok\n";
echo "extensions: " . implode(' ', check('extensions', $sieve->getExtensions())) . "\n";
check('put', $sieve->installScript('roundtrip', $script));
echo "put: ok\n";
echo "list: " . implode(',', check('list', $sieve->listScripts())) . "\n";
check('haveSpace', $sieve->haveSpace('roundtrip', strlen($script)));
echo "havespace: ok\n";
check('activate', $sieve->setActive('roundtrip'));
echo "active: " . check('active', $sieve->getActive()) . "\n";
$downloaded = check('get', $sieve->getScript('roundtrip'));
// Net_Sieve returns the literal together with the CRLF that ends its line.
$verdict = $downloaded === $script . "\r\n" ? 'same plus CRLF' : ($downloaded === $script ? 'same' : 'DIFFERENT ' . json_encode($downloaded));
echo "get: $verdict\n";
check('deactivate', $sieve->setActive(''));
echo "active after deactivate: " . json_encode(check('active', $sieve->getActive())) . "\n";
check('delete', $sieve->removeScript('roundtrip'));
echo "list after delete: " . implode(',', check('list', $sieve->listScripts())) . "\n";
check('logout', $sieve->disconnect());
echo "logout: ok\n";
