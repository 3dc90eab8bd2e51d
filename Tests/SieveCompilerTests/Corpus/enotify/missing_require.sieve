notify "mailto:alice@example.com";
