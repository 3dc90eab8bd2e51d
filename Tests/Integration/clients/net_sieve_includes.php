<?php
// Roundcube's managesieve plugin keeps one main filter set that includes the others. With PEAR's Net_Sieve
// (Roundcube's library), driven by test_lifecycle.py: store an include set, try to delete an included script,
// and print the server's refusal as Net_Sieve hands it to Roundcube.
// usage: php net_sieve_includes.php HOST PORT USER PASSWORD
error_reporting(E_ALL & ~E_DEPRECATED & ~E_STRICT);
require_once 'Net/Sieve.php';

list(, $host, $port, $user, $password) = $argv;

function check($step, $result)
{
    if (is_a($result, 'PEAR_Error')) {
        fwrite(STDOUT, "$step: ERROR " . $result->getMessage() . "\n");
        exit(1);
    }
    return $result;
}

$sieve = new Net_Sieve($user, $password, $host, (int)$port, 'PLAIN', '', false, false, false);
check('login', $sieve->getError());
echo "login: ok\n";
check('put vacation', $sieve->installScript('vacation', "require \"vacation\";\r\nvacation \"I am away.\";\r\n"));
check('put spam', $sieve->installScript('spam', "require \"fileinto\";\r\nif header :contains \"x-spam\" \"yes\" { fileinto \"Junk\"; }\r\n"));
check('put roundcube', $sieve->installScript('roundcube', "require \"include\";\r\ninclude :personal \"vacation\";\r\ninclude :personal \"spam\";\r\n", true));
echo "put: vacation spam roundcube\n";
echo "active: " . check('active', $sieve->getActive()) . "\n";
$refused = $sieve->removeScript('vacation');
echo "delete vacation: " . (is_a($refused, 'PEAR_Error') ? 'refused: ' . $refused->getMessage() : 'ok') . "\n";
$list = check('list', $sieve->listScripts());
sort($list);
echo "list: " . implode(',', $list) . "\n";
check('deactivate', $sieve->setActive(''));
check('delete after deactivate', $sieve->removeScript('vacation'));
echo "delete after deactivate: ok\n";
check('logout', $sieve->disconnect());
echo "logout: ok\n";
