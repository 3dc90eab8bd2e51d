frob;
if blah { keep; }
