#!/usr/bin/perl
# A round trip with Perl's Net::ManageSieve, driven by test_interop.py.
# usage: perl net_managesieve.pl HOST PORT USER PASSWORD SCRIPTFILE [CAFILE]
# With CAFILE the session uses STARTTLS and verifies the server's certificate against CAFILE.
# Prints one "step: result" line per operation; exits 1 at the first error, naming it.
use strict;
use warnings;
use Net::ManageSieve;

my ($host, $port, $user, $password, $file, $cafile) = @ARGV;
open(my $in, '<:raw', $file) or die "cannot read $file: $!\n";
my $script = do { local $/; <$in> };
close($in);

$| = 1;
my $tls = defined $cafile
    ? { mode => 'require', SSL_ca_file => $cafile, SSL_verify_mode => 1, SSL_verifycn_name => 'localhost' }
    : 0;
my $sieve = Net::ManageSieve->new($host, Port => $port, Timeout => 20, tls => $tls)
    or do { print "connect: ERROR $@\n"; exit 1 };
print "tls: ", ($sieve->encrypted() ? 'yes' : 'no'), "\n" if defined $cafile;

sub check {
    my ($step, $ok) = @_;
    unless ($ok) { print "$step: ERROR ", ($sieve->error() // 'unknown'), "\n"; exit 1 }
    return $ok;
}

check('login', $sieve->login($user, $password));
print "login: ok\n";
my $caps = $sieve->capabilities();
print "implementation: $caps->{implementation}\n";
check('put', $sieve->putscript('roundtrip', $script));
print "put: ok\n";
my $list = check('list', $sieve->listscripts());
my @names = @$list[0 .. $#$list - 1];
print "list: ", join(',', @names), " active=", $list->[-1], "\n";
check('havespace', $sieve->havespace('roundtrip', length $script));
print "havespace: ok\n";
check('activate', $sieve->setactive('roundtrip'));
$list = check('list', $sieve->listscripts());
print "active: $list->[-1]\n";
my $downloaded = check('get', $sieve->getscript('roundtrip'));
# Net::ManageSieve returns the script with its trailing white space (here the last CRLF) replaced by one LF.
(my $expected = $script) =~ s/\s+\z//;
$expected .= "\n";
print "get: ", ($downloaded eq $expected ? 'same' : "DIFFERENT [$downloaded]"), "\n";
check('deactivate', $sieve->setactive(''));
$list = check('list', $sieve->listscripts());
print "active after deactivate: [$list->[-1]]\n";
check('delete', $sieve->deletescript('roundtrip'));
$list = check('list', $sieve->listscripts());
print "list after delete: ", join(',', @$list[0 .. $#$list - 1]), "\n";
check('logout', $sieve->logout());
print "logout: ok\n";
