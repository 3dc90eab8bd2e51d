redirect "justalocalpart";
