require ["date", "relational", "fileinto"];
if allof (currentdate :value "ge" "hour" "18", currentdate :value "lt" "hour" "23") {
    fileinto "Evening";
}
