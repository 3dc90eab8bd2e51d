require "vacation";
vacation :from "Jörg <j@example.com>" "away";
