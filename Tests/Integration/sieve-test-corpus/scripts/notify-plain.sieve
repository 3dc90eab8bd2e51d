require "enotify";
notify "mailto:alerts@example.com?subject=Mail%20arrived&x-tag=1";
