require ["vacation", "variables"];
vacation :days "${d}" "x";
