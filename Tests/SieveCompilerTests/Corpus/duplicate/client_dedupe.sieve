require ["duplicate", "fileinto", "mailbox"];
if duplicate :seconds 86400 {
    fileinto :create "Duplicates";
    stop;
}
