require "ihave";
if ihave "imap4flags" { frobnicate; }
