"keep";
