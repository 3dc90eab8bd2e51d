require "ihave";
if ihave ["fileinto", "reject"] { fileinto "x"; reject "y"; }
