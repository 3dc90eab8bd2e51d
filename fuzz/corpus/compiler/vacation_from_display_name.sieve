require "vacation";
vacation :from "Me <me@example.com>" "away";
