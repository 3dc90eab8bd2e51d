require "ihave";
if ihave "mailbox" { frobnicate; }
