require "vacation";
vacation :days 18446744073709551615 "away";
