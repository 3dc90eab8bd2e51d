// Module TLS: implementation files live beside this one.
