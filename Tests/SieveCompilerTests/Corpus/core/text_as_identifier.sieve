text;
