require "vacation";
vacation :from "group: a@example.com;" "x";
