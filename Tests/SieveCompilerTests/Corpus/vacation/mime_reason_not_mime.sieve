require "vacation";
vacation :mime "just text";
