require ["date", "relational", "fileinto"];
if currentdate :value "ge" "date" "2000-01-01" {
    fileinto "after-2000";
}
if currentdate :value "lt" "year" "2000" {
    fileinto "before-2000";
}
