// Module Transcript: implementation files live beside this one.
