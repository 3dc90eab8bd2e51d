// Module ManageSieveServer: implementation files live beside this one.
