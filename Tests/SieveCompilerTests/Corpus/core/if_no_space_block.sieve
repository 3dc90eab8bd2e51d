if true{keep;}
