require ["copy"];
redirect :copy "u@elsewhere.example";
