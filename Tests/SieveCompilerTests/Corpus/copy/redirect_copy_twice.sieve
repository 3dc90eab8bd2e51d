require "copy";
redirect :copy :copy "a@example.com";
