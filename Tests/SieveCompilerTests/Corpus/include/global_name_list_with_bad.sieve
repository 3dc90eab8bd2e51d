require ["include", "variables"];
global ["ok", "bad-name"];
