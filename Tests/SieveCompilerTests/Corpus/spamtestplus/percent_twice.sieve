require "spamtestplus";
if spamtest :percent :percent "50" { discard; }
