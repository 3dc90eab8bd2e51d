require "ihave";
if ihave "mboxmetadata" { frobnicate; }
