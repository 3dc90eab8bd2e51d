require "servermetadata";
if servermetadata :contains "/shared/admin" "@" { keep; }
