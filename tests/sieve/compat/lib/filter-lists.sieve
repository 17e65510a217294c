require ["include", "variables", "fileinto"];
global "verdict";
if string :is "${private}" "" {
    fileinto "locals-are-local";
}
if exists "list-id" {
    set "verdict" "list";
    fileinto "Lists";
}
