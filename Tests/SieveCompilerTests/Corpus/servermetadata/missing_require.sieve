if servermetadataexists "/shared/admin" { keep; }
