require "vacation";
vacation :subject "Out of office" text:
I am out of the office until Monday.
..
.
;
