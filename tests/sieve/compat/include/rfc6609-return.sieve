require ["include", "fileinto"];
include :personal "early-return";
fileinto "main-continues";
