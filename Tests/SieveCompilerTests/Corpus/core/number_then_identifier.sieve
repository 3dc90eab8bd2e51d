if size :over 10Kb { keep; }
