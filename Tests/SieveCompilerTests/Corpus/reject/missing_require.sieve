reject "Go away.";
