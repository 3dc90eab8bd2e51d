keep();
