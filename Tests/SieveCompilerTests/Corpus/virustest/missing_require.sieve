if virustest "5" { discard; }
