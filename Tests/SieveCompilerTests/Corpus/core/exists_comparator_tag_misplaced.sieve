if exists "from" :is { keep; }
