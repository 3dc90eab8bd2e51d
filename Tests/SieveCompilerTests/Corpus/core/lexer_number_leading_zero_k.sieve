if size :over 007K { keep; }
