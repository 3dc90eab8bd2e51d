redirect "a@ex_ample.com";
