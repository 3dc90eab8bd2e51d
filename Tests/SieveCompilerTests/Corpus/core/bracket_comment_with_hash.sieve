/* # still bracket */ keep;
