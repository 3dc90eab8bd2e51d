// Module Auth: implementation files live beside this one.
