// Module SieveCompiler: implementation files live beside this one.
