require "reject";
reject "no";
redirect "a@example.com";
