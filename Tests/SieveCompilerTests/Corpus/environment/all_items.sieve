require "environment";
if anyof (environment "domain" "x", environment "host" "x", environment "location" "MDA",
          environment "name" "x", environment "phase" "during", environment "remote-host" "x",
          environment "remote-ip" "x", environment "version" "x") { keep; }
