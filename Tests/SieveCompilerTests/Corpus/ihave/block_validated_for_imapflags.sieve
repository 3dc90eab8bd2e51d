require "ihave";
if ihave "imapflags" { frobnicate; }
