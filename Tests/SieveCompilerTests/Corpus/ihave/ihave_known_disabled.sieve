# corpus-extensions: default
require "ihave";
if ihave "editheader" { addheader "X" "y"; }
