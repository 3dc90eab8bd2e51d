require "servermetadata";
if servermetadataexists "admin" { keep; }
