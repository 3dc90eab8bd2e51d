if exists "from:" { keep; }
