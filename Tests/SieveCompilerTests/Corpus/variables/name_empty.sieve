require "variables";
set "" "c";
