if spamtest "10" { discard; }
