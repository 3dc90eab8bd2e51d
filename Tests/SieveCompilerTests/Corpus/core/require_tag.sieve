require :fileinto;
