require "servermetadata";
if servermetadataexists "/shared/admin" { keep; }
