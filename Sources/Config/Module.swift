// Module Config: implementation files live beside this one.
