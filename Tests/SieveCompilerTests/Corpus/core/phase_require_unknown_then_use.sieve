require "frobnicate";
frobnicate;
