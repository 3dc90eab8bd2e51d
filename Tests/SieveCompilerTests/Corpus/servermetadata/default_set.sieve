# corpus-extensions: default
require "servermetadata";
if servermetadataexists "/shared/admin" { keep; }
