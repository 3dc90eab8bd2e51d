require "vacation-seconds";
vacation :seconds 18446744073709551615 "away";
