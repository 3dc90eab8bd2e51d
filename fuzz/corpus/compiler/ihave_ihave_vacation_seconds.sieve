require "ihave";
if ihave "vacation-seconds" { vacation :seconds 60 "x"; }
