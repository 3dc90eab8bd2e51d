require "ihave";
if ihave "spamtestplus" { frobnicate; }
