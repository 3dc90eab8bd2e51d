require "spamtestplus";
if spamtest :percent 50 { discard; }
